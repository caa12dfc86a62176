/**
 * Makes `npm test` and `npm run dev` work on a fresh clone: installs the npm
 * dependencies and the missing system packages (saying so), then runs the
 * TypeScript script with tsx. Plain JavaScript, because tsx may not be
 * installed yet. Usage: node scripts/bootstrap.mjs <script.ts> [args...]
 */
import { spawnSync } from "node:child_process";
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
const child = spawnSync(process.execPath, ["--import", "tsx", join(root, script), ...args], {
  cwd: root,
  stdio: "inherit",
});
process.exit(child.status ?? 1);
