import type { Redis } from "ioredis";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { assessDurability, checkRedisDurability } from "../../../cluster/storage/durability.ts";
import { connectRedis } from "../../../cluster/storage/redis-connection.ts";
import {
  type RedisServerHandle,
  type RedisServerOptions,
  startRedisServer,
} from "../../../scripts/lib/redis-server.ts";

const servers: RedisServerHandle[] = [];
const clients: Redis[] = [];

async function redisWith(options: RedisServerOptions): Promise<Redis> {
  const server = await startRedisServer(options);
  servers.push(server);
  const redis = await connectRedis(server.url);
  clients.push(redis);
  return redis;
}

test.after(async () => {
  for (const redis of clients) redis.disconnect();
  for (const server of servers) await server.cleanup();
});

test("a Redis with appendonly yes and appendfsync always is durable", async () => {
  const result = await checkRedisDurability(
    await redisWith({ appendonly: true, appendfsync: "always" }),
  );
  assert.equal(result, {
    ok: true,
    value: { appendonly: "yes", appendfsync: "always", noAppendfsyncOnRewrite: "no" },
  });
});

test("appendfsync everysec is refused with a message naming both settings and the fix", async () => {
  const result = await checkRedisDurability(
    await redisWith({ appendonly: true, appendfsync: "everysec" }),
  );
  assert.is(result.ok, false);
  if (result.ok) return;
  assert.is(result.error.code, "REDIS_NOT_DURABLE");
  assert.match(result.error.message, /appendonly is "yes" and appendfsync is "everysec"/);
  assert.match(result.error.message, /--appendonly yes --appendfsync always/);
  assert.match(result.error.message, /CONFIG SET appendfsync always/);
  assert.match(result.error.message, /CONFIG REWRITE/);
  assert.match(result.error.message, /ALLOW_VOLATILE_REDIS=1/);
  assert.match(result.error.message, /development only/);
});

test("appendonly no is refused with a message naming both settings", async () => {
  const result = await checkRedisDurability(
    await redisWith({ appendonly: false, appendfsync: "always" }),
  );
  assert.is(result.ok, false);
  if (result.ok) return;
  assert.is(result.error.code, "REDIS_NOT_DURABLE");
  assert.match(result.error.message, /appendonly is "no" and appendfsync is "always"/);
  assert.match(result.error.message, /CONFIG SET appendonly yes/);
});

test("skipping fsync during AOF rewrites is refused", () => {
  const result = assessDurability({
    appendonly: "yes",
    appendfsync: "always",
    noAppendfsyncOnRewrite: "yes",
  });
  assert.is(result.ok, false);
  if (!result.ok) assert.match(result.error.message, /no-appendfsync-on-rewrite is "yes"/);
});

test("a Redis that cannot be reached is reported unavailable, not durable or volatile", async () => {
  const redis = await redisWith({});
  const server = servers[servers.length - 1]!;
  await server.kill();
  const result = await checkRedisDurability(redis);
  assert.is(result.ok, false);
  if (!result.ok) assert.is(result.error.code, "STORAGE_UNAVAILABLE");
});

test.run();
