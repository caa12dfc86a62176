/**
 * Prints the configuration reference as a Markdown table, from the one table
 * that validates the environment (shared/env-variables.ts). The README embeds
 * it between `<!-- env-reference:start/end -->` markers; a test keeps the two
 * equal. `--update-readme` rewrites that part of the README.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { envNames, envVariables } from "../shared/env-variables.ts";

const START = "<!-- env-reference:start -->";
const END = "<!-- env-reference:end -->";

/** The table as the README holds it now, or undefined when the markers are missing. */
export function readmeEnvReference(readme: string): string | undefined {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) return undefined;
  return readme.slice(start + START.length, end).trim();
}

export function envReferenceTable(): string {
  const rows = envNames.map((name) => {
    const variable = envVariables[name];
    const unset = variable.whenUnset;
    const when =
      unset.kind === "required"
        ? "required"
        : unset.kind === "default"
          ? `default \`${unset.raw}\``
          : "optional";
    const doc = variable.doc.replaceAll("|", "\\|");
    return `| \`${name}\` | ${when} | ${doc} |`;
  });
  return ["| Variable | When unset | What it is |", "| --- | --- | --- |", ...rows].join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv.includes("--update-readme")) {
    const readme = readFileSync("README.md", "utf8");
    const start = readme.indexOf(START);
    const end = readme.indexOf(END);
    if (start < 0 || end < start)
      throw new Error(`README.md lacks the ${START} ... ${END} markers`);
    writeFileSync(
      "README.md",
      `${readme.slice(0, start + START.length)}\n${envReferenceTable()}\n${readme.slice(end)}`,
    );
  } else {
    console.log(envReferenceTable());
  }
}
