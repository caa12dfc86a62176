import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { startCluster, waitUntil } from "../../../scripts/lib/cluster-harness.ts";
import { isAlive } from "../../support/process-liveness.ts";

test("waitUntil gives up after its bound and names what it waited for and the last error", async () => {
  const startedAt = Date.now();
  const failure = await waitUntil(
    () => {
      throw new Error("still broken");
    },
    120,
    "the impossible",
  ).catch((error: Error) => error);
  assert.instance(failure, Error);
  assert.match(String(failure), /timed out after 120 ms waiting for the impossible/);
  assert.match(String(failure), /still broken/);
  assert.ok(Date.now() - startedAt < 2_000);
});

test("with proxies, only the dialing (lower) id reaches a peer through the pair's proxy, and stop() ends every process with SIGTERM and leaves nothing behind", async () => {
  const cluster = await startCluster({ size: 3, withProxies: true });
  const pids = cluster.nodes.flatMap((node) => [node.pid, node.redis.pid]);
  let stopped = false;
  try {
    assert.is(cluster.proxies.size, 3);
    const portOf = (id: string) => cluster.node(id).port;
    const peersOf = (id: string) => cluster.node(id).env.PEERS;
    assert.is(
      peersOf("n1"),
      `n1=ws://127.0.0.1:${portOf("n1")},n2=ws://127.0.0.1:${cluster.proxyBetween("n1", "n2").port},n3=ws://127.0.0.1:${cluster.proxyBetween("n1", "n3").port}`,
    );
    assert.is(
      peersOf("n2"),
      `n1=ws://127.0.0.1:${portOf("n1")},n2=ws://127.0.0.1:${portOf("n2")},n3=ws://127.0.0.1:${cluster.proxyBetween("n3", "n2").port}`,
    );
    assert.is(
      peersOf("n3"),
      `n1=ws://127.0.0.1:${portOf("n1")},n2=ws://127.0.0.1:${portOf("n2")},n3=ws://127.0.0.1:${portOf("n3")}`,
    );
    assert.is(cluster.proxyBetween("n2", "n3").targetPort, portOf("n3"));

    cluster.partition(["n1"], ["n2", "n3"]);
    assert.ok(cluster.proxyBetween("n1", "n2").blocked);
    assert.ok(cluster.proxyBetween("n1", "n3").blocked);
    assert.not.ok(cluster.proxyBetween("n2", "n3").blocked);
    cluster.heal();
    assert.ok([...cluster.proxies.values()].every((proxy) => !proxy.blocked));

    assert.ok(pids.every(isAlive));
    assert.ok(existsSync(cluster.dir));
    const exits = await cluster.stop();
    stopped = true;
    assert.equal(exits, [
      { id: "n1", exit: { code: 0, signal: null } },
      { id: "n2", exit: { code: 0, signal: null } },
      { id: "n3", exit: { code: 0, signal: null } },
    ]);
    for (const pid of pids) assert.not.ok(isAlive(pid), `process ${pid} outlived stop()`);
    assert.not.ok(existsSync(cluster.dir), "the temp dir outlived stop()");
  } finally {
    if (!stopped) await cluster.stop();
  }
});

/** Runs `body` while keeping what this process writes on stderr. */
async function capturingStderr<Value>(body: () => Promise<Value>): Promise<[Value, string]> {
  const write = process.stderr.write.bind(process.stderr);
  let written = "";
  process.stderr.write = ((chunk: string | Uint8Array) => {
    written += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    return [await body(), written];
  } finally {
    process.stderr.write = write;
  }
}

test("a node that cannot start fails startCluster with its exit code and output, without a second try", async () => {
  const [failure, stderr] = await capturingStderr(() =>
    startCluster({ size: 1, env: { ELECTION_TIMEOUT_MS: "never" } }).catch((error: Error) => error),
  );
  assert.instance(failure, Error);
  assert.match(String(failure), /the cluster did not start/);
  assert.match(String(failure), /exited \(code 2/);
  assert.match(String(failure), /ELECTION_TIMEOUT_MS/);
  assert.not.match(stderr, /attempt 1 of 2 failed/);
});

test("a node that hangs at start is described and the cluster is started again, once, and says so", async () => {
  const dir = mkdtempSync(join(tmpdir(), "nexaloak-hang-"));
  const marker = join(dir, "hang-once");
  writeFileSync(marker, "");
  // Before the node's own code runs: the first start sleeps for a minute, the second finds no marker.
  const hangOnce = `import { existsSync, rmSync } from "node:fs"; if (existsSync(${JSON.stringify(marker)})) { rmSync(${JSON.stringify(marker)}); Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60000); }`;
  try {
    const [cluster, stderr] = await capturingStderr(() =>
      startCluster({
        size: 1,
        startTimeoutMs: 10_000,
        nodeFlags: ["--import", `data:text/javascript,${encodeURIComponent(hangOnce)}`],
      }),
    );
    try {
      assert.match(stderr, /cluster start attempt 1 of 2 failed; starting again on fresh ports/);
      assert.match(stderr, /\(pid \d+, state S[^)]*s of CPU\) did not log "node listening"/);
      assert.ok((await cluster.leader()).running);
    } finally {
      await cluster.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
