import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type NodeProcess, spawnNode } from "../../../scripts/lib/node-process.ts";
import { isAlive, waitUntilGone } from "../../support/process-liveness.ts";

const fakeNode = new URL("./fixtures/fake-node.ts", import.meta.url).pathname;
const orphanFixture = new URL("./fixtures/spawn-node-and-wait.ts", import.meta.url).pathname;
const started: NodeProcess[] = [];
const dirs: string[] = [];

async function workDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "nexaloak-node-process-"));
  dirs.push(dir);
  return dir;
}

async function startFake(mode: string, env: Record<string, string> = {}) {
  const dir = await workDir();
  const node = spawnNode({
    env: { NODE_ID: "n7", FAKE_NODE_MODE: mode, ...env },
    logFile: join(dir, "n7.log"),
    cwd: dir,
    entry: fakeNode,
  });
  started.push(node);
  return { node, dir };
}

test.after(async () => {
  for (const node of started) await node.kill();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

test("waits for the listening line, parses JSON log lines and appends all output to the log file", async () => {
  const { node, dir } = await startFake("listen");
  assert.is(await node.waitForListening(20_000), "http://127.0.0.1:9");
  assert.ok(node.running);
  assert.ok(node.pid > 0);
  assert.ok(node.logLines.some((line) => line.msg === "environment"));
  const exit = await node.stop(5_000);
  assert.equal(exit, { code: 0, signal: null });
  assert.not.ok(node.running);
  const log = readFileSync(join(dir, "n7.log"), "utf8");
  assert.match(log, /plain text line that is not JSON/);
  assert.match(log, /a warning on stderr/);
  assert.match(log, /"msg":"stopping"/);
  assert.match(log, /exited code=0/);
});

test("the node gets only the variables it is given, runs in its own dir, and is told the tsconfig", async () => {
  const previous = process.env.PEERS;
  process.env.PEERS = "n1=ws://127.0.0.1:1";
  try {
    const { node, dir } = await startFake("listen");
    await node.waitForListening(20_000);
    const environment = node.logLines.find((line) => line.msg === "environment")!;
    assert.is(environment.nodeId, "n7");
    assert.is(environment.peers, null, "PEERS from the caller's environment leaked into the node");
    assert.is(environment.cwd, dir);
    assert.match(String(environment.tsconfig), /tsconfig\.json$/);
  } finally {
    if (previous === undefined) delete process.env.PEERS;
    else process.env.PEERS = previous;
  }
});

test("a node that exits before listening fails the wait with its exit code and output", async () => {
  const { node } = await startFake("refuse");
  const failure = await node.waitForListening(20_000).catch((error: Error) => error);
  assert.instance(failure, Error);
  assert.match(String(failure), /exited \(code 3/);
  assert.match(String(failure), /appendfsync always/);
  assert.equal(node.exit, { code: 3, signal: null });
});

test("stop() falls back to SIGKILL when SIGTERM is ignored", async () => {
  const { node } = await startFake("ignore-term");
  await node.waitForListening(20_000);
  const startedAt = Date.now();
  const exit = await node.stop(300);
  assert.equal(exit, { code: null, signal: "SIGKILL" });
  assert.ok(Date.now() - startedAt < 5_000);
});

test("kill() ends the process by SIGKILL", async () => {
  const { node } = await startFake("listen");
  await node.waitForListening(20_000);
  const pid = node.pid;
  assert.equal(await node.kill(), { code: null, signal: "SIGKILL" });
  assert.ok(await waitUntilGone(pid, 2_000));
});

test("waitForExit() gives up on a process that keeps running", async () => {
  const { node } = await startFake("listen");
  await node.waitForListening(20_000);
  const failure = await node.waitForExit(50).catch((error: Error) => error);
  assert.match(String(failure), /still running after 50 ms/);
});

test("a node dies even when the process that started it is killed with SIGKILL", async () => {
  const parent = spawn(process.execPath, ["--import", "tsx", orphanFixture], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  try {
    const printed = await new Promise<{ pid: number; dir: string }>((resolve, reject) => {
      let output = "";
      const timer = setTimeout(() => reject(new Error("the fixture printed nothing")), 30_000);
      parent.stdout.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        if (!output.includes("\n")) return;
        clearTimeout(timer);
        resolve(JSON.parse(output.slice(0, output.indexOf("\n"))));
      });
    });
    dirs.push(printed.dir);
    assert.ok(isAlive(printed.pid));
    const exited = new Promise((resolve) => parent.once("exit", resolve));
    process.kill(parent.pid!, "SIGKILL");
    await exited;
    assert.ok(await waitUntilGone(printed.pid, 3_000), `node ${printed.pid} outlived its parent`);
  } finally {
    if (parent.exitCode === null && parent.signalCode === null) parent.kill("SIGKILL");
  }
});

test.run();
