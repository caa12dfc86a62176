import { createServer } from "node:net";
import type { Redis } from "ioredis";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { connectRedis, redactUrl } from "../../../cluster/storage/redis-connection.ts";
import { StorageError } from "../../../cluster/storage/storage-error.ts";
import { type RedisServerHandle, startRedisServer } from "../../../scripts/lib/redis-server.ts";
import { sleep } from "../../../shared/sleep.ts";

let server: RedisServerHandle;
const clients: Redis[] = [];

test.before(async () => {
  server = await startRedisServer();
});

test.after(async () => {
  for (const redis of clients) redis.disconnect();
  await server?.cleanup();
});

/** A loopback port nobody listens on (taken from the kernel, then released). */
function unusedPort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === "object" && address ? address.port : 1));
    });
  });
}

test("connectRedis resolves with a client that is ready for commands", async () => {
  const redis = await connectRedis(server.url, { connectionName: "nexaloak-test" });
  clients.push(redis);
  assert.is(redis.status, "ready");
  assert.is(await redis.ping(), "PONG");
});

test("commands fail at once while Redis is down, and work again once it is back", async () => {
  const redis = await connectRedis(server.url, {
    maxReconnectDelayMs: 100,
    onConnectionError: () => undefined,
  });
  clients.push(redis);
  await server.kill();
  const startedAt = performance.now();
  const failure = await redis.ping().catch((error: unknown) => error);
  assert.instance(failure, Error);
  assert.ok(performance.now() - startedAt < 500, "a command waited for Redis to come back");

  await server.restart();
  const deadline = Date.now() + 5_000;
  while (redis.status !== "ready" && Date.now() < deadline) {
    await sleep(20);
  }
  assert.is(await redis.ping(), "PONG");
});

test("connectRedis gives up with STORAGE_UNAVAILABLE when nothing answers", async () => {
  const url = `redis://:s3cret@127.0.0.1:${await unusedPort()}`;
  const startedAt = performance.now();
  const connectionErrors: Error[] = [];
  const failure = await connectRedis(url, {
    readyTimeoutMs: 300,
    onConnectionError: (error) => connectionErrors.push(error),
  }).catch((error: unknown) => error);
  assert.instance(failure, StorageError);
  assert.is((failure as StorageError).code, "STORAGE_UNAVAILABLE");
  assert.match((failure as StorageError).message, /not ready within 300 ms/);
  assert.not.match((failure as StorageError).message, /s3cret/);
  assert.ok(performance.now() - startedAt < 2_000);
  assert.match(String(connectionErrors[0]), /ECONNREFUSED/);
});

test("connectRedis over a Unix socket works, and a socket that is not there is named with what to check", async () => {
  const socketServer = await startRedisServer({ unixSocket: true });
  try {
    const redis = await connectRedis(socketServer.url);
    clients.push(redis);
    assert.is(await redis.ping(), "PONG");

    const missing = socketServer.url.replace(/redis\.sock$/, "missing.sock");
    const failure = await connectRedis(missing, {
      readyTimeoutMs: 300,
      onConnectionError: () => undefined,
    }).catch((error: unknown) => error);
    assert.instance(failure, StorageError);
    assert.is((failure as StorageError).code, "STORAGE_UNAVAILABLE");
    assert.match((failure as StorageError).message, /ENOENT/);
    assert.match((failure as StorageError).message, /unixsocket set to that path/);
  } finally {
    await socketServer.cleanup();
  }
});

test("redactUrl hides the password and keeps the rest", () => {
  assert.is(redactUrl("redis://user:pw@127.0.0.1:6380/2"), "redis://user:***@127.0.0.1:6380/2");
  assert.is(redactUrl("redis://127.0.0.1:6380"), "redis://127.0.0.1:6380");
});

test.run();
