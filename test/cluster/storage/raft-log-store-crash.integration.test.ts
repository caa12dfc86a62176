/**
 * The Raft log store across restarts and crashes of redis-server (with
 * `appendonly yes`, `appendfsync always`): every acknowledged write survives,
 * and a crash in the middle of a write leaves either the whole write or none.
 */
import { isDeepStrictEqual } from "node:util";
import type { Redis } from "ioredis";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { PersistedRaftState } from "../../../cluster/storage/persisted-state.ts";
import { RaftLogStore } from "../../../cluster/storage/raft-log-store.ts";
import { connectRedis } from "../../../cluster/storage/redis-connection.ts";
import { StorageError } from "../../../cluster/storage/storage-error.ts";
import { type RedisServerHandle, startRedisServer } from "../../../scripts/lib/redis-server.ts";
import { sleep } from "../../../shared/sleep.ts";
import {
  applyWrite,
  entryRange,
  hardState,
  type LogWrite,
  nextWrite,
  seededRandom,
  snapshotAt,
} from "./log-model.ts";

const PREFIX = "nexaloak:n1:";
const CRASH_ROUNDS = 3;
const MAX_WRITES_PER_ROUND = 5_000;
const MAX_ROUND_MS = 5_000;

let server: RedisServerHandle;
/** Every client a test opened; closed after each test even when it fails half-way. */
const clients: Redis[] = [];

/** A client that stays quiet while the test kills its server on purpose. */
async function connect(): Promise<Redis> {
  const redis = await connectRedis(server.url, { onConnectionError: () => undefined });
  clients.push(redis);
  return redis;
}

async function write(store: RaftLogStore, logWrite: LogWrite): Promise<void> {
  if (logWrite.kind === "save") await store.save(logWrite.batch);
  else await store.compact(logWrite.snapshot);
}

test.before.each(async () => {
  server = await startRedisServer({ appendonly: true, appendfsync: "always" });
});

test.after.each(async () => {
  for (const redis of clients.splice(0)) redis.disconnect();
  await server?.cleanup();
});

for (const [how, crash] of [
  ["stopped", () => server.stop()],
  ["killed with SIGKILL", () => server.kill()],
] as const) {
  test(`every acknowledged write survives redis-server being ${how} and restarted`, async () => {
    const redis = await connect();
    const store = new RaftLogStore(redis, PREFIX);
    await store.save({ entries: entryRange(1, 50, 1), hardState: hardState(1, 40, "n2") });
    await store.compact(snapshotAt(30, 1));
    await store.save({ entries: entryRange(45, 60, 2), hardState: hardState(2, 44, "n3") });
    const acknowledged = await store.load();
    redis.disconnect();

    await crash();
    await server.restart();
    const reconnected = await connect();
    assert.equal(await new RaftLogStore(reconnected, PREFIX).load(), acknowledged);
  });
}

test("writes fail fast with STORAGE_UNAVAILABLE while Redis is down and work once it is back", async () => {
  const redis = await connect();
  const store = new RaftLogStore(redis, PREFIX);
  await store.save({ entries: entryRange(1, 3, 1) });
  await server.kill();
  const startedAt = performance.now();
  const failure = await store.save({ entries: entryRange(4, 5, 1) }).catch((error) => error);
  assert.instance(failure, StorageError);
  assert.is((failure as StorageError).code, "STORAGE_UNAVAILABLE");
  assert.ok(performance.now() - startedAt < 1_000, "the failed write took a second or more");

  await server.restart();
  const deadline = Date.now() + 5_000;
  while (redis.status !== "ready" && Date.now() < deadline) {
    await sleep(20);
  }
  await store.save({ entries: entryRange(4, 5, 1) });
  assert.equal((await store.load()).entries, entryRange(1, 5, 1));
});

test("a SIGKILL at a random moment during writes leaves every acknowledged write and no partial one", async () => {
  const seed = Date.now() % 1_000_000;
  const random = seededRandom(seed);
  let state: PersistedRaftState = {
    hardState: { term: 0, vote: "", commit: 0 },
    snapshot: null,
    entries: [],
  };
  for (let round = 1; round <= CRASH_ROUNDS; round++) {
    const context = `seed ${seed}, round ${round}`;
    const redis = await connect();
    const store = new RaftLogStore(redis, PREFIX);
    const killed = new Promise<void>((resolve, reject) => {
      setTimeout(() => server.kill().then(resolve, reject), 20 + random(300));
    });
    let inFlight: PersistedRaftState | null = null;
    let acknowledgedWrites = 0;
    const roundEndsAt = Date.now() + MAX_ROUND_MS;
    while (acknowledgedWrites < MAX_WRITES_PER_ROUND && Date.now() < roundEndsAt) {
      const logWrite = nextWrite(state, random);
      inFlight = applyWrite(state, logWrite);
      try {
        await write(store, logWrite);
      } catch (error) {
        assert.instance(error, StorageError, context);
        assert.is((error as StorageError).code, "STORAGE_UNAVAILABLE", `${context}: ${error}`);
        break;
      }
      state = inFlight;
      inFlight = null;
      acknowledgedWrites += 1;
    }
    await killed;
    await server.restart();

    const reconnected = await connect();
    const reloaded = new RaftLogStore(reconnected, PREFIX);
    const loaded = await reloaded.load();
    const matchesAcknowledged = isDeepStrictEqual(loaded, state);
    const matchesInFlight = inFlight !== null && isDeepStrictEqual(loaded, inFlight);
    assert.ok(
      matchesAcknowledged || matchesInFlight,
      `${context}: after ${acknowledgedWrites} acknowledged writes the reloaded log is neither ` +
        "the acknowledged state nor the state after the interrupted write",
    );
    assert.ok(acknowledgedWrites > 0, `${context}: no write was acknowledged before the kill`);
    if (matchesInFlight && inFlight) state = inFlight;
    // The store keeps working on the recovered log.
    const logWrite = nextWrite(state, random);
    await write(reloaded, logWrite);
    state = applyWrite(state, logWrite);
    assert.equal(await reloaded.load(), state, context);
    for (const client of clients.splice(0)) client.disconnect();
  }
});

test.run();
