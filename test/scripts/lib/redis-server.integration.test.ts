import { spawn } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type RedisServerHandle, startRedisServer } from "../../../scripts/lib/redis-server.ts";
import { isAlive, waitUntilGone } from "../../support/process-liveness.ts";

const servers: RedisServerHandle[] = [];
const clients: Redis[] = [];
const fixture = new URL("./fixtures/start-and-exit.ts", import.meta.url).pathname;

async function started(
  options?: Parameters<typeof startRedisServer>[0],
): Promise<RedisServerHandle> {
  const server = await startRedisServer(options);
  servers.push(server);
  return server;
}

function client(server: RedisServerHandle): Redis {
  const redis = new Redis(server.url, { maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on("error", () => undefined);
  clients.push(redis);
  return redis;
}

/** Runs the fixture in its own Node process; resolves once it printed what it started. */
function runFixture(mode: "exit" | "wait") {
  const child = spawn(process.execPath, ["--import", "tsx", fixture, mode], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const printed = new Promise<{ pid: number; dataDir: string }>((resolve, reject) => {
    let output = "";
    const timer = setTimeout(
      () => reject(new Error("the fixture printed nothing within 10 s")),
      10_000,
    );
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("\n")) {
        clearTimeout(timer);
        resolve(JSON.parse(output.slice(0, output.indexOf("\n"))));
      }
    });
  });
  return { child, exited, printed };
}

test.after(async () => {
  for (const redis of clients) redis.disconnect();
  for (const server of servers) await server.cleanup();
});

test("starts redis-server on loopback with the requested AOF settings and no RDB saves", async () => {
  const server = await started({ appendfsync: "everysec" });
  assert.ok(server.running);
  assert.ok(isAlive(server.pid));
  assert.is(server.url, `redis://127.0.0.1:${server.port}`);
  const redis = client(server);
  assert.is(await redis.ping(), "PONG");
  assert.equal(await redis.config("GET", "appendonly"), ["appendonly", "yes"]);
  assert.equal(await redis.config("GET", "appendfsync"), ["appendfsync", "everysec"]);
  assert.equal(await redis.config("GET", "save"), ["save", ""]);
  assert.equal(await redis.config("GET", "bind"), ["bind", "127.0.0.1"]);
  assert.equal(await redis.config("GET", "dir"), ["dir", server.dataDir]);
});

test("with unixSocket it also listens on redis.sock in its data dir, open to its own user only, and its url names the socket", async () => {
  const server = await started({ unixSocket: true });
  const socketPath = join(server.dataDir, "redis.sock");
  assert.is(server.url, `unix://${socketPath}`);
  assert.is(statSync(socketPath).mode & 0o777, 0o700);
  const redis = client(server);
  assert.is(await redis.ping(), "PONG");
  assert.equal(await redis.config("GET", "unixsocket"), ["unixsocket", socketPath]);
});

test("defaults to appendonly yes and appendfsync always", async () => {
  const redis = client(await started());
  assert.equal(await redis.config("GET", "appendonly"), ["appendonly", "yes"]);
  assert.equal(await redis.config("GET", "appendfsync"), ["appendfsync", "always"]);
});

test("stop() ends the process by its PID and restart() brings the data back on the same port", async () => {
  const server = await started();
  const firstPid = server.pid;
  await client(server).set("greeting", "hello");
  await server.stop();
  assert.is(server.running, false);
  assert.ok(await waitUntilGone(firstPid, 2_000), "redis-server still runs after stop()");
  await server.restart();
  assert.ok(server.running);
  assert.is.not(server.pid, firstPid);
  assert.is(await client(server).get("greeting"), "hello");
});

test("kill() ends the process with SIGKILL, and an acknowledged write survives it", async () => {
  const server = await started();
  const pid = server.pid;
  await client(server).set("written", "before the crash");
  await server.kill();
  assert.is(server.running, false);
  assert.ok(await waitUntilGone(pid, 2_000), "redis-server still runs after kill()");
  await server.restart();
  assert.is(await client(server).get("written"), "before the crash");
});

test("cleanup() removes the temp data dir it created and leaves a given one", async () => {
  const created = await started();
  assert.ok(existsSync(created.dataDir));
  await created.cleanup();
  assert.is(created.running, false);
  assert.is(existsSync(created.dataDir), false);

  const givenDir = await mkdtemp(join(tmpdir(), "nexaloak-given-"));
  try {
    const given = await started({ dataDir: givenDir });
    assert.is(given.dataDir, givenDir);
    await given.cleanup();
    assert.ok(existsSync(givenDir));
  } finally {
    await rm(givenDir, { recursive: true, force: true });
  }
});

test("a port already in use fails with redis-server's own reason", async () => {
  const server = await started();
  const failure = await startRedisServer({ port: server.port }).catch((error: unknown) => error);
  assert.instance(failure, Error);
  assert.match(String(failure), /Address already in use/);
  assert.ok(server.running);
});

test("a missing redis-server binary fails with a message saying how to install it", async () => {
  const path = process.env.PATH;
  process.env.PATH = "/nonexistent";
  try {
    const failure = await startRedisServer().catch((error: unknown) => error);
    assert.match(String(failure), /scripts\/ensure-system-packages\.sh/);
  } finally {
    process.env.PATH = path;
  }
});

test("a server left running dies, and its temp dir goes, when the process that started it exits", async () => {
  const fixtureRun = runFixture("exit");
  const { pid, dataDir } = await fixtureRun.printed;
  await fixtureRun.exited;
  assert.ok(await waitUntilGone(pid, 2_000), `redis-server ${pid} outlived its parent`);
  assert.is(existsSync(dataDir), false);
});

test("a server dies even when the process that started it is killed with SIGKILL", async () => {
  const fixtureRun = runFixture("wait");
  try {
    const { pid, dataDir } = await fixtureRun.printed;
    process.kill(fixtureRun.child.pid!, "SIGKILL");
    await fixtureRun.exited;
    assert.ok(await waitUntilGone(pid, 2_000), `redis-server ${pid} outlived its killed parent`);
    // Nothing ran in the killed process to remove its temp dir.
    await rm(dataDir, { recursive: true, force: true });
  } finally {
    if (fixtureRun.child.exitCode === null && fixtureRun.child.signalCode === null) {
      fixtureRun.child.kill("SIGKILL");
    }
  }
});

test.run();
