/**
 * `npm run dev` as a person runs it: started through npm, ready once its
 * banner comes again below the start-up lines, and stopped by one SIGINT to
 * the npm process alone (not the whole process group, as Ctrl-C would):
 * every process it started is gone and its last line says so.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { freePortBlockBelowEphemeralRange } from "../../scripts/lib/free-port.ts";
import { sleep } from "../../shared/sleep.ts";

const REPO = resolve(new URL("../..", import.meta.url).pathname);
const READY_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 30_000;
const RECHECK_MS = 200;
/** Tries with another base port when one the dev cluster needs is taken meanwhile. */
const START_ATTEMPTS = 3;
/** The dev cluster uses its base port, +1, +2, +90 and +100..+102. */
const PORTS_SPANNED = 103;

/** Every process below `rootPid`, from /proc. */
async function descendants(rootPid: number): Promise<number[]> {
  const parents = new Map<number, number>();
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
    // The command name may hold spaces and parentheses; the fields after its last ")" are fixed.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (fields[1] !== undefined) parents.set(Number(entry), Number(fields[1]));
  }
  const found: number[] = [];
  const queue = [rootPid];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const [pid, ppid] of parents)
      if (ppid === parent && !found.includes(pid)) {
        found.push(pid);
        queue.push(pid);
      }
  }
  return found;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(RECHECK_MS);
  }
}

test("one SIGINT to the npm process stops every process `npm run dev` started, and says so last", async () => {
  const dataDir = await mkdtemp(join(tmpdir(), "nexaloak-dev-"));
  let output = "";
  let npm: ChildProcess | undefined;
  let exited: Promise<number | null> = Promise.resolve(null);
  let started: number[] = [];
  try {
    for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      output = "";
      const basePort = await freePortBlockBelowEphemeralRange(PORTS_SPANNED);
      const child = spawn(
        "npm",
        ["run", "dev", "--", "--base-port", String(basePort), "--data-dir", dataDir],
        {
          cwd: REPO,
          stdio: ["ignore", "pipe", "pipe"],
          env: { ...process.env, BOT_TOKEN: "" },
        },
      );
      npm = child;
      child.stdout!.on("data", (chunk: Buffer) => {
        output += chunk.toString("utf8");
      });
      child.stderr!.on("data", (chunk: Buffer) => {
        output += chunk.toString("utf8");
      });
      exited = new Promise<number | null>((resolveExit) => child.once("exit", resolveExit));
      await waitFor(
        () => output.includes("NexaLoak dev cluster is ready:") || child.exitCode !== null,
        READY_TIMEOUT_MS,
        "the dev cluster's ready banner",
      );
      const portTaken = child.exitCode !== null && / is in use; /.test(output);
      if (!portTaken) break;
      await exited;
    }
    assert.ok(output.includes("NexaLoak dev cluster is ready:"), output.slice(-2000));
    const readyBanner = output.slice(output.lastIndexOf("NexaLoak dev cluster is ready:"));
    assert.match(
      readyBanner,
      /Telegram sandbox \(no BOT_TOKEN\): open http:\/\/127\.0\.0\.1:\d+\//,
    );
    started = await descendants(npm!.pid!);
    // npm, the shell it may use, the bootstrap, the dev cluster, 3 nodes and 3 redis-servers.
    assert.ok(started.length >= 8, `processes below npm: ${started.length}`);
    process.kill(npm!.pid!, "SIGINT");
    await waitFor(
      () => started.every((pid) => !isRunning(pid)),
      STOP_TIMEOUT_MS,
      "every started process to exit",
    );
    await exited;
    const lastLine = output.trimEnd().split("\n").at(-1) ?? "";
    assert.match(lastLine, /^All stopped: 3 nodes, 3 Redis servers, the Telegram sandbox\.$/);
    assert.not.match(
      output.slice(0, output.indexOf("NexaLoak dev cluster is up")),
      /"level":"warn".*no connection to peer|WARN.*no connection to peer/,
    );
  } catch (error) {
    process.stderr.write(`${output.slice(-3000)}\n`);
    throw error;
  } finally {
    for (const pid of started) if (isRunning(pid)) process.kill(pid, "SIGKILL");
    if (npm?.exitCode === null && npm.pid !== undefined && isRunning(npm.pid)) npm.kill("SIGKILL");
    await rm(dataDir, { recursive: true, force: true });
  }
});

test.run();
