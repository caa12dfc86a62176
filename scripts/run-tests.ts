/**
 * Runs every uvu suite under test/ (files ending in `.test.ts`), each suite
 * that starts servers or child processes in its own Node process so none can
 * leak into another, and ends with exactly one line `N passed, M failed`.
 *
 * Two tiers, told apart by name. Unit suites (`*.test.ts`) start no process
 * and open no socket, and run in a moment: they run together in one process
 * (scripts/run-suites-in-one-process.ts), reported as one line, with
 * test/support/unit-fence.mjs loaded so a suite that tries either fails;
 * `--unit` runs only them.
 * Integration suites (`*.integration.test.ts`) start redis-servers, node
 * processes, network namespaces and servers, or run long campaigns. Suites
 * named `*.alone.test.ts` assert on timing (failover gaps, replies repeated
 * after a kill): they run after all the others, one at a time, so no other
 * suite competes for the CPU.
 *
 * Usage: npm test [-- [--unit] <path prefix>...]
 * TEST_CONCURRENCY sets how many suites run at once (default 2, one per core);
 * TEST_SUITE_TIMEOUT_MS how long one suite may run before it is killed and
 * counted as failed (default 10 minutes). Each suite leads its own process
 * group, so nothing a suite signals can reach the runner or another suite.
 * Suites running at once pick their free ports from separate shares of the
 * range (NEXALOAK_TEST_PORT_SLOT), so a port one suite's killed node leaves
 * free for its restart is never taken by another suite meanwhile.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, rmSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { PORT_SLOT_VARIABLE } from "./lib/free-port.ts";
import { buildNodeBundle, NODE_BUNDLE_VARIABLE } from "./lib/node-bundle.ts";

interface SuiteResult {
  file: string;
  passed: number;
  failed: number;
  skipped: number;
  durationMs: number;
}

/** Where suites are found; TEST_ROOT moves it (the runner's own tests use a folder of their own). */
const testRoot = process.env.TEST_ROOT ?? "test";
const unitOnly = process.argv.includes("--unit");
const prefixes = process.argv
  .slice(2)
  .filter((arg) => arg !== "--unit")
  .map((arg) => arg.replace(/^\.\//, ""));
/** Loaded before the unit suites under --unit: no process, no socket. */
const UNIT_FENCE = "./test/support/unit-fence.mjs";
const ONE_PROCESS_RUNNER = "scripts/run-suites-in-one-process.ts";

function isUnitSuite(file: string): boolean {
  return !file.endsWith(".integration.test.ts") && !file.endsWith(".alone.test.ts");
}
const concurrency = Math.max(1, Number(process.env.TEST_CONCURRENCY ?? 2) || 2);
const suiteTimeoutMs = Math.max(
  1000,
  Number(process.env.TEST_SUITE_TIMEOUT_MS ?? 600_000) || 600_000,
);

function listSuites(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...listSuites(path));
    else if (name.endsWith(".test.ts")) found.push(path);
  }
  return found;
}

/** uvu prints `Total:`, `Passed:` and `Skipped:` lines when a suite file finishes. */
function readSummary(output: string): { total: number; passed: number; skipped: number } | null {
  // uvu colours its summary; strip ANSI escapes before matching.
  const plain = stripVTControlCharacters(output);
  const total = /Total:\s+(\d+)/.exec(plain);
  const passed = /Passed:\s+(\d+)/.exec(plain);
  const skipped = /Skipped:\s+(\d+)/.exec(plain);
  if (!total || !passed) return null;
  return { total: Number(total[1]), passed: Number(passed[1]), skipped: Number(skipped?.[1] ?? 0) };
}

/**
 * The node bundle the integration suites start nodes from, built once per run
 * (scripts/lib/node-bundle.ts); inside the repository, so its packages resolve.
 */
const bundleDir = join("node_modules", ".cache", `nexaloak-node-bundle-${process.pid}`);
process.on("exit", () => rmSync(bundleDir, { recursive: true, force: true }));

/** Suites still running, each the leader of its own process group. */
const runningSuites = new Set<ChildProcess>();

/** Kills a suite and whatever it started in its group, while the suite is still unreaped (so its pid is still its own). */
function killSuiteGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    // The group is gone already.
  }
}

// Suites do not share the runner's group, so an interrupted run ends them itself.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    for (const child of runningSuites) killSuiteGroup(child);
    process.exit(signal === "SIGINT" ? 130 : 143);
  });
}

/**
 * Runs one suite in a child process of its own, or, with `together`, those
 * unit suites in one fenced process, reported under the label `file`. The
 * suite picks its free ports from `portSlot`'s share (scripts/lib/free-port.ts),
 * apart from every suite running beside it.
 */
function runSuite(
  file: string,
  portSlot: string,
  together?: readonly string[],
): Promise<SuiteResult> {
  const startedAt = Date.now();
  const args = together
    ? ["--import", UNIT_FENCE, "--import", "tsx", ONE_PROCESS_RUNNER, ...together]
    : ["--import", "tsx", file];
  return new Promise((resolve) => {
    // Each suite leads a process group of its own: a suite that signals its
    // group (say `kill(0)` from an empty pid file) ends itself, not the run.
    const child = spawn(process.execPath, args, {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, FORCE_COLOR: "0", [PORT_SLOT_VARIABLE]: portSlot },
      detached: true,
    });
    runningSuites.add(child);
    let output = "";
    const timer = setTimeout(() => {
      output += `\nsuite killed after ${suiteTimeoutMs} ms (TEST_SUITE_TIMEOUT_MS)\n`;
      killSuiteGroup(child);
    }, suiteTimeoutMs);
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      runningSuites.delete(child);
      const durationMs = Date.now() - startedAt;
      const summary = readSummary(output);
      let result: SuiteResult;
      if (!summary) {
        // A suite that crashed before uvu could report counts as one failure.
        result = { file, passed: 0, failed: 1, skipped: 0, durationMs };
      } else {
        const failed = summary.total - summary.passed - summary.skipped;
        // A non-zero exit with no failed test (e.g. an unhandled rejection after
        // the suite) is still a failure.
        const extraFailure = code !== 0 && failed === 0 ? 1 : 0;
        result = {
          file,
          passed: summary.passed,
          failed: failed + extraFailure,
          skipped: summary.skipped,
          durationMs,
        };
      }
      const status = result.failed > 0 ? "FAIL" : "ok  ";
      const seconds = (durationMs / 1000).toFixed(1);
      process.stdout.write(
        `${status} ${relative(".", file)}  (${result.passed} passed, ${result.failed} failed, ${result.skipped} skipped, ${seconds}s)\n`,
      );
      if (result.failed > 0) process.stdout.write(indent(output));
      resolve(result);
    });
  });
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => `    ${line}`)
    .join("\n")
    .concat("\n");
}

/** The unit tier's line names its one suite, or counts them. */
function unitTierLabel(unitSuites: readonly string[]): string {
  return unitSuites.length === 1 ? unitSuites[0]! : `the unit tier (${unitSuites.length} suites)`;
}

async function main(): Promise<void> {
  const suites = listSuites(testRoot).filter(
    (file) =>
      (prefixes.length === 0 || prefixes.some((prefix) => file.startsWith(prefix))) &&
      (!unitOnly || isUnitSuite(file)),
  );
  const results: SuiteResult[] = [];
  const unitSuites = suites.filter(isUnitSuite);
  const runsAlone = (file: string) => file.endsWith(".alone.test.ts");
  // The unit tier is one job (one process), first in the queue; each other suite is a job of its own.
  // Simulation suites keep one core busy for over a minute: queued first among the rest, so that
  // the last minute of a run is not one of them beside an idle worker.
  const isSimulation = (file: string) => file.startsWith(join(testRoot, "simulation/"));
  const integrationSuites = suites.filter((file) => !isUnitSuite(file) && !runsAlone(file));
  const queue: Array<(portSlot: string) => Promise<SuiteResult>> = [
    ...(unitSuites.length > 0
      ? [(portSlot: string) => runSuite(unitTierLabel(unitSuites), portSlot, unitSuites)]
      : []),
    ...[
      ...integrationSuites.filter(isSimulation),
      ...integrationSuites.filter((file) => !isSimulation(file)),
    ].map((file) => (portSlot: string) => runSuite(file, portSlot)),
  ];
  if (suites.length > unitSuites.length) {
    try {
      process.env[NODE_BUNDLE_VARIABLE] = await buildNodeBundle(bundleDir);
    } catch (error) {
      // The suites still run, their nodes under tsx; the run fails all the same.
      process.stdout.write(`FAIL the node bundle: ${(error as Error).message}\n`);
      results.push({ file: "the node bundle", passed: 0, failed: 1, skipped: 0, durationMs: 0 });
    }
  }
  const workerCount = Math.min(concurrency, queue.length);
  const workers = Array.from({ length: workerCount }, async (_, worker) => {
    for (let job = queue.shift(); job !== undefined; job = queue.shift()) {
      results.push(await job(`${worker}/${workerCount}`));
    }
  });
  await Promise.all(workers);
  // Nothing runs beside these: the whole range is theirs.
  for (const file of suites.filter(runsAlone)) results.push(await runSuite(file, "0/1"));
  const passed = results.reduce((sum, r) => sum + r.passed, 0);
  const failed = results.reduce((sum, r) => sum + r.failed, 0);
  const skipped = results.reduce((sum, r) => sum + r.skipped, 0);
  if (skipped > 0) process.stdout.write(`${skipped} skipped (not counted as passed)\n`);
  if (suites.length === 0) process.stdout.write("no test suites found\n");
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  process.exitCode = failed > 0 || suites.length === 0 ? 1 : 0;
}

await main();
