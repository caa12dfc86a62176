/**
 * Prints the configuration references as Markdown tables, from the tables
 * that validate the environment: the node's (shared/env-variables.ts) and the
 * probe agent's (probe-agent/agent-config.ts). The README embeds them between
 * `<!-- env-reference:start/end -->` and
 * `<!-- probe-agent-env-reference:start/end -->` markers; a test keeps them
 * equal. `--update-readme` rewrites those parts of the README.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { probeAgentEnvVariables } from "../probe-agent/agent-config.ts";
import type { EnvVariable } from "../shared/env-variables.ts";
import { envNames, envVariables } from "../shared/env-variables.ts";

/** One table in the README: its markers and the variables it lists, in order. */
interface Reference {
  start: string;
  end: string;
  variables: Record<string, EnvVariable<unknown>>;
}

const NODE: Reference = {
  start: "<!-- env-reference:start -->",
  end: "<!-- env-reference:end -->",
  variables: Object.fromEntries(envNames.map((name) => [name, envVariables[name]])),
};

const PROBE_AGENT: Reference = {
  start: "<!-- probe-agent-env-reference:start -->",
  end: "<!-- probe-agent-env-reference:end -->",
  variables: probeAgentEnvVariables,
};

function between(readme: string, reference: Reference): string | undefined {
  const start = readme.indexOf(reference.start);
  const end = readme.indexOf(reference.end);
  if (start < 0 || end < start) return undefined;
  return readme.slice(start + reference.start.length, end).trim();
}

function table(reference: Reference): string {
  const rows = Object.entries(reference.variables).map(([name, variable]) => {
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

/** The node's table as the README holds it now, or undefined when the markers are missing. */
export function readmeEnvReference(readme: string): string | undefined {
  return between(readme, NODE);
}

/** The node's table, as the README should hold it. */
export function envReferenceTable(): string {
  return table(NODE);
}

/** The probe agent's table as the README holds it now, or undefined when the markers are missing. */
export function readmeProbeAgentEnvReference(readme: string): string | undefined {
  return between(readme, PROBE_AGENT);
}

/** The probe agent's table, as the README should hold it. */
export function probeAgentEnvReferenceTable(): string {
  return table(PROBE_AGENT);
}

function replaced(readme: string, reference: Reference): string {
  const start = readme.indexOf(reference.start);
  const end = readme.indexOf(reference.end);
  if (start < 0 || end < start)
    throw new Error(`README.md lacks the ${reference.start} ... ${reference.end} markers`);
  return `${readme.slice(0, start + reference.start.length)}\n${table(reference)}\n${readme.slice(end)}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv.includes("--update-readme")) {
    const readme = readFileSync("README.md", "utf8");
    writeFileSync("README.md", replaced(replaced(readme, NODE), PROBE_AGENT));
  } else {
    console.log(`${envReferenceTable()}\n\n${probeAgentEnvReferenceTable()}`);
  }
}
