/**
 * Checks a node's environment file without starting the node: the same
 * validation `npm start` runs at start, on the file's variables alone (the
 * caller's own environment plays no part). scripts/install.sh runs it on the
 * file it writes for a founding server, so a bad value is reported before
 * the service starts rather than in its journal.
 *
 * Usage: tsx scripts/check-env.ts <env file>
 * Exits 0 when the node would accept the file, 2 with the node's own message
 * (every bad or missing variable, secrets' values never repeated) otherwise.
 */
import { readFileSync } from "node:fs";
import { parse } from "dotenv";
import { loadConfig } from "../shared/config.ts";
import { err, ok, type Result } from "../shared/result.ts";

/** Whether a node would start with exactly the variables of this dotenv text. */
export function checkEnvText(text: string): Result<void, "INVALID_CONFIG"> {
  const checked = loadConfig(parse(text));
  return checked.ok ? ok(undefined) : err("INVALID_CONFIG", checked.error.message);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const path = process.argv[2];
  if (path === undefined) {
    process.stderr.write("usage: tsx scripts/check-env.ts <env file>\n");
    process.exit(2);
  }
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    process.stderr.write(`Cannot read ${path}: ${(cause as Error).message}\n`);
    process.exit(2);
  }
  const checked = checkEnvText(text);
  if (!checked.ok) {
    process.stderr.write(`${path}: ${checked.error.message}\n`);
    process.exit(2);
  }
  process.stdout.write(`${path}: a node accepts this configuration\n`);
}
