/**
 * The test runner: the unit tier's fence (a suite run under `npm run
 * test:unit` cannot start a process or open a socket, so a suite that needs
 * them must say it is an integration suite), and suites kept apart from the
 * runner, so one that goes wrong fails alone; long simulation suites are
 * started before the others; suites running side by side pick their ports
 * from different shares of the range.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { PORT_SLOT_VARIABLE } from "../../scripts/lib/free-port.ts";

/**
 * Runs the runner over `root` in a process group of its own, so that if it
 * failed to keep suites apart a suite's kill would end the runner, not this suite.
 */
function runRunner(
  root: string,
  env: Record<string, string> = {},
): Promise<{ stdout: string; status: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/run-tests.ts"], {
      env: { ...process.env, TEST_ROOT: root, ...env },
      stdio: ["ignore", "pipe", "inherit"],
      detached: true,
    });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("close", (status, signal) => {
      clearTimeout(timer);
      resolve({ stdout, status, signal });
    });
  });
}

function underTheFence(code: string): string {
  const result = spawnSync(
    process.execPath,
    ["--import", "./test/support/unit-fence.mjs", "--input-type=module", "-e", code],
    { encoding: "utf8" },
  );
  return result.stdout + result.stderr;
}

test("a process started under the fence is refused, named imports included", () => {
  const output = underTheFence(
    'import { spawn } from "node:child_process"; try { spawn("true"); console.log("started"); } catch (e) { console.log(e.message); }',
  );
  assert.match(output, /a unit test may not start a process \(child_process\.spawn\)/);
  assert.not.match(output, /started/);
});

test("listening or connecting under the fence is refused", () => {
  const output = underTheFence(
    'import net from "node:net"; for (const act of [() => net.createServer().listen(0), () => net.connect(1, "127.0.0.1")]) { try { act(); console.log("opened"); } catch (e) { console.log(e.message); } }',
  );
  assert.match(output, /may not listen on a socket/);
  assert.match(output, /may not open a network connection/);
  assert.not.match(output, /opened/);
});

test("a suite that kills its own process group fails alone; the run goes on to its last line", async () => {
  const root = mkdtempSync(join(tmpdir(), "nxl-runner-"));
  const uvu = import.meta.resolve("uvu");
  const uvuAssert = import.meta.resolve("uvu/assert");
  try {
    // kill(0) is what an empty pid file turns `process.kill(Number(pidText))` into.
    writeFileSync(
      join(root, "a-kills-its-group.integration.test.ts"),
      'process.kill(0, "SIGKILL");\n',
    );
    writeFileSync(
      join(root, "b-passes.test.ts"),
      `import { test } from "${uvu}";\nimport * as assert from "${uvuAssert}";\ntest("one", () => assert.ok(true));\ntest.run();\n`,
    );
    const run = await runRunner(root);
    assert.is(run.signal, null, `the runner itself was killed: ${run.stdout}`);
    assert.match(run.stdout, /FAIL .*a-kills-its-group\.integration\.test\.ts/);
    assert.match(
      run.stdout,
      /ok {3}.*b-passes\.test\.ts {2}\(1 passed/,
      "the one unit suite, named",
    );
    assert.is(run.stdout.trimEnd().split("\n").at(-1), "1 passed, 1 failed");
    assert.is(run.status, 1);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("simulation suites start before the other integration suites, whatever their names", async () => {
  const root = mkdtempSync(join(tmpdir(), "nxl-runner-"));
  const uvu = import.meta.resolve("uvu");
  const uvuAssert = import.meta.resolve("uvu/assert");
  const passingSuite = `import { test } from "${uvu}";\nimport * as assert from "${uvuAssert}";\ntest("one", () => assert.ok(true));\ntest.run();\n`;
  try {
    writeFileSync(join(root, "a-first-by-name.integration.test.ts"), passingSuite);
    mkdirSync(join(root, "simulation"));
    writeFileSync(join(root, "simulation", "z-long.integration.test.ts"), passingSuite);
    // One at a time: results are printed in the order the suites ran.
    const run = await runRunner(root, { TEST_CONCURRENCY: "1" });
    const order = run.stdout
      .split("\n")
      .filter((line) => line.startsWith("ok "))
      .map((line) => (line.includes("z-long") ? "simulation" : "other"));
    assert.equal(order, ["simulation", "other"], run.stdout);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("suites that run side by side are given different port slots", async () => {
  const root = mkdtempSync(join(tmpdir(), "nxl-runner-"));
  const uvu = import.meta.resolve("uvu");
  try {
    for (const name of ["a", "b", "c"]) {
      const slotFile = JSON.stringify(join(root, `${name}.slot`));
      writeFileSync(
        join(root, `${name}.integration.test.ts`),
        `import { writeFileSync } from "node:fs";\nimport { test } from "${uvu}";\n` +
          `test("slot", () => writeFileSync(${slotFile}, process.env.${PORT_SLOT_VARIABLE} ?? "none"));\n` +
          "test.run();\n",
      );
    }
    const run = await runRunner(root, { TEST_CONCURRENCY: "2" });
    assert.is(run.stdout.trimEnd().split("\n").at(-1), "3 passed, 0 failed", run.stdout);
    const slots = ["a", "b", "c"].map((name) => readFileSync(join(root, `${name}.slot`), "utf8"));
    // Two workers: every suite runs in one of their two slots, and the first two start together.
    for (const slot of slots) assert.ok(["0/2", "1/2"].includes(slot), `slot ${slot}`);
    assert.is.not(slots[0], slots[1]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test.run();
