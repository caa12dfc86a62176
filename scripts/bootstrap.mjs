/**
 * Makes `npm test` and `npm run dev` work on a fresh clone: installs the npm
 * dependencies and the missing system packages (saying so), then runs the
 * TypeScript script with tsx. Plain JavaScript, because tsx may not be
 * installed yet. Usage: node scripts/bootstrap.mjs <script.ts> [args...]
 *
 * The script runs as a child that this process waits for without blocking,
 * so a signal sent to this process alone (say, by npm, or `kill` of the
 * npm process) is passed on, and the script stops what it started.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const [script, ...args] = process.argv.slice(2);
if (!script) {
  console.error("usage: node scripts/bootstrap.mjs <script.ts> [args...]");
  process.exit(2);
}

function run(command, commandArgs) {
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

if (!existsSync(join(root, "node_modules", "tsx"))) {
  console.log("Installing npm dependencies (npm ci)...");
  run("npm", ["ci", "--no-fund", "--no-audit"]);
}
run("bash", [join(root, "scripts", "ensure-system-packages.sh")]);
const child = spawn(process.execPath, ["--import", "tsx", join(root, script), ...args], {
  cwd: root,
  stdio: "inherit",
});
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  // Ctrl-C in a terminal reaches the child as well; passing it on again is harmless.
  process.on(signal, () => child.kill(signal));
}
child.on("exit", (code, signal) => {
  process.exit(code ?? (signal === "SIGINT" ? 130 : signal === "SIGTERM" ? 143 : 1));
});
