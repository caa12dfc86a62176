import type { Redis } from "ioredis";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Entry } from "../../../cluster/raft/types.ts";
import { raftLogKeys } from "../../../cluster/storage/keys.ts";
import { RaftLogStore } from "../../../cluster/storage/raft-log-store.ts";
import { connectRedis } from "../../../cluster/storage/redis-connection.ts";
import { StorageError, type StorageErrorCode } from "../../../cluster/storage/storage-error.ts";
import { type RedisServerHandle, startRedisServer } from "../../../scripts/lib/redis-server.ts";
import { entry, entryRange, hardState, snapshotAt } from "./log-model.ts";

let server: RedisServerHandle;
let redis: Redis;
let prefixCount = 0;

/** A store under a prefix no other test uses. */
function freshStore(options?: ConstructorParameters<typeof RaftLogStore>[2]): RaftLogStore {
  prefixCount += 1;
  return new RaftLogStore(redis, `test:${prefixCount}:`, options);
}

async function rejectsWith(code: StorageErrorCode, call: Promise<unknown>): Promise<StorageError> {
  const outcome = await call.then(
    () => null,
    (error: unknown) => error,
  );
  assert.instance(outcome, StorageError, `expected the call to fail with ${code}`);
  const error = outcome as StorageError;
  assert.is(error.code, code, error.message);
  return error;
}

test.before(async () => {
  server = await startRedisServer();
  redis = await connectRedis(server.url);
});

test.after(async () => {
  redis?.disconnect();
  await server?.cleanup();
});

test("an empty store loads term 0, no vote, no snapshot and no entries", async () => {
  assert.equal(await freshStore().load(), {
    hardState: { term: 0, vote: "", commit: 0 },
    snapshot: null,
    entries: [],
  });
});

test("saved entries and hard state load back unchanged, whatever the data holds", async () => {
  const store = freshStore();
  const entries: Entry[] = [
    entry(1, 1, ""),
    { index: 2, term: 1, type: "confChange", data: '{"type":"addVoter","nodeId":"n4"}' },
    entry(3, 2, "colons:inside:data\nand a new line, ünïcödé and 🛰"),
  ];
  await store.save({ entries, hardState: hardState(2, 3, "n2") });
  assert.equal(await store.load(), { hardState: hardState(2, 3, "n2"), snapshot: null, entries });
});

test("entries from an index the log holds replace it and every entry after it", async () => {
  const store = freshStore();
  await store.save({ entries: entryRange(1, 10, 1), hardState: hardState(1, 4) });
  await store.save({ entries: entryRange(6, 7, 2), hardState: hardState(2, 4) });
  const loaded = await store.load();
  assert.equal(loaded.entries, [...entryRange(1, 5, 1), ...entryRange(6, 7, 2)]);
});

test("entries append after a truncation and continue the log", async () => {
  const store = freshStore();
  await store.save({ entries: entryRange(1, 5, 1) });
  await store.save({ entries: entryRange(3, 3, 2) });
  await store.save({ entries: entryRange(4, 6, 2) });
  assert.equal((await store.load()).entries, [...entryRange(1, 2, 1), ...entryRange(3, 6, 2)]);
});

test("a save whose entries would leave a gap is refused and changes nothing", async () => {
  const store = freshStore();
  await store.save({ entries: entryRange(1, 3, 1), hardState: hardState(1, 1) });
  const before = await store.load();
  const error = await rejectsWith(
    "STORAGE_REJECTED",
    store.save({ entries: entryRange(5, 6, 1), hardState: hardState(1, 3) }),
  );
  assert.match(error.message, /gap/);
  assert.equal(await store.load(), before);
});

test("a stale save whose entries start inside the snapshot is refused and changes nothing", async () => {
  const store = freshStore();
  await store.save({ entries: entryRange(1, 6, 1), hardState: hardState(1, 5) });
  await store.compact(snapshotAt(4, 1));
  const before = await store.load();
  const error = await rejectsWith("STORAGE_REJECTED", store.save({ entries: entryRange(3, 7, 1) }));
  assert.match(error.message, /inside the snapshot/);
  assert.equal(await store.load(), before);
});

test("a save that would change or delete a committed entry is refused", async () => {
  const store = freshStore();
  await store.save({ entries: entryRange(1, 5, 1), hardState: hardState(1, 4) });
  const before = await store.load();
  await rejectsWith("STORAGE_REJECTED", store.save({ entries: entryRange(3, 6, 2) }));
  await rejectsWith("STORAGE_REJECTED", store.save({ entries: entryRange(2, 3, 1) }));
  assert.equal(await store.load(), before);
  // Re-sending committed entries unchanged, up to and beyond the commit index, is fine.
  await store.save({ entries: entryRange(3, 6, 1) });
  assert.equal((await store.load()).entries, entryRange(1, 6, 1));
});

test("a save that would lower the term or change the vote within a term is refused", async () => {
  const store = freshStore();
  await store.save({ hardState: hardState(3, 0, "n1") });
  await rejectsWith("STORAGE_REJECTED", store.save({ hardState: hardState(2, 0, "n1") }));
  await rejectsWith("STORAGE_REJECTED", store.save({ hardState: hardState(3, 0, "n2") }));
  await store.save({ hardState: hardState(4, 0, "n2") });
  assert.equal((await store.load()).hardState, hardState(4, 0, "n2"));
});

test("a save whose commit index is beyond the log is refused", async () => {
  const store = freshStore();
  await store.save({ entries: entryRange(1, 2, 1) });
  await rejectsWith("STORAGE_REJECTED", store.save({ hardState: hardState(1, 3) }));
});

test("a batch that is not contiguous or lowers terms is refused before reaching Redis", async () => {
  const store = freshStore();
  await rejectsWith("STORAGE_REJECTED", store.save({ entries: [entry(1, 1), entry(3, 1)] }));
  await rejectsWith("STORAGE_REJECTED", store.save({ entries: [entry(1, 2), entry(2, 1)] }));
  assert.equal((await store.load()).entries, []);
});

test("sending the same save twice leaves the same state as sending it once", async () => {
  const store = freshStore();
  const batch = {
    snapshot: snapshotAt(3, 2),
    entries: entryRange(4, 8, 2),
    hardState: hardState(2, 8, "n3"),
  };
  await store.save(batch);
  const once = await store.load();
  await store.save(batch);
  assert.equal(await store.load(), once);
});

test("compaction stores the snapshot and deletes the entries it covers", async () => {
  const store = freshStore();
  await store.save({ entries: entryRange(1, 10, 1), hardState: hardState(1, 8) });
  await store.compact(snapshotAt(6, 1));
  const loaded = await store.load();
  assert.equal(loaded.snapshot, snapshotAt(6, 1));
  assert.equal(loaded.entries, entryRange(7, 10, 1));
  assert.equal(loaded.hardState, hardState(1, 8));
});

test("a compaction older than the stored snapshot is ignored", async () => {
  const store = freshStore();
  await store.save({ entries: entryRange(1, 10, 1), hardState: hardState(1, 8) });
  await store.compact(snapshotAt(6, 1));
  await store.compact(snapshotAt(4, 1, "older state"));
  const loaded = await store.load();
  assert.equal(loaded.snapshot, snapshotAt(6, 1));
  assert.equal(loaded.entries, entryRange(7, 10, 1));
});

test("a compaction beyond the commit index or with another term is refused", async () => {
  const store = freshStore();
  await store.save({ entries: entryRange(1, 10, 1), hardState: hardState(1, 5) });
  const before = await store.load();
  await rejectsWith("STORAGE_REJECTED", store.compact(snapshotAt(7, 1)));
  await rejectsWith("STORAGE_REJECTED", store.compact(snapshotAt(4, 2)));
  assert.equal(await store.load(), before);
});

test("installing a snapshot whose last entry the log holds keeps the entries after it", async () => {
  const store = freshStore();
  await store.save({ entries: entryRange(1, 10, 1), hardState: hardState(1, 3) });
  await store.save({ snapshot: snapshotAt(6, 1), hardState: hardState(1, 6) });
  const loaded = await store.load();
  assert.equal(loaded.snapshot, snapshotAt(6, 1));
  assert.equal(loaded.entries, entryRange(7, 10, 1));
  assert.equal(loaded.hardState, hardState(1, 6));
});

test("installing a snapshot the log does not match drops the whole log", async () => {
  const store = freshStore();
  await store.save({ entries: entryRange(1, 10, 1), hardState: hardState(1, 3) });
  await store.save({ snapshot: snapshotAt(6, 2), hardState: hardState(2, 6) });
  assert.equal(await store.load(), {
    hardState: hardState(2, 6),
    snapshot: snapshotAt(6, 2),
    entries: [],
  });
  await store.save({ snapshot: snapshotAt(20, 3), hardState: hardState(3, 20) });
  assert.equal((await store.load()).entries, []);
});

test("a snapshot, entries after it and a hard state are saved in one batch", async () => {
  const store = freshStore();
  await store.save({ entries: entryRange(1, 4, 1), hardState: hardState(1, 2) });
  await store.save({
    snapshot: snapshotAt(8, 3),
    entries: entryRange(9, 12, 3),
    hardState: hardState(3, 10, "n2"),
  });
  assert.equal(await store.load(), {
    hardState: hardState(3, 10, "n2"),
    snapshot: snapshotAt(8, 3),
    entries: entryRange(9, 12, 3),
  });
});

test("two stores under different prefixes on one Redis do not see each other", async () => {
  const first = freshStore();
  const second = freshStore();
  await first.save({ entries: entryRange(1, 3, 1), hardState: hardState(1, 2, "n1") });
  await second.save({ entries: entryRange(1, 5, 7), hardState: hardState(7, 4, "n2") });
  await second.compact(snapshotAt(2, 7));
  assert.equal(await first.load(), {
    hardState: hardState(1, 2, "n1"),
    snapshot: null,
    entries: entryRange(1, 3, 1),
  });
  assert.equal(await second.load(), {
    hardState: hardState(7, 4, "n2"),
    snapshot: snapshotAt(2, 7),
    entries: entryRange(3, 5, 7),
  });
});

test("an unreadable stored entry makes load fail with STORAGE_CORRUPT", async () => {
  prefixCount += 1;
  const prefix = `test:${prefixCount}:`;
  const store = new RaftLogStore(redis, prefix);
  await store.save({ entries: entryRange(1, 3, 1) });
  await redis.lset(raftLogKeys(prefix).log, 1, "not an entry");
  const error = await rejectsWith("STORAGE_CORRUPT", store.load());
  assert.match(error.message, /entry 2/);
});

test("each write reports its latency", async () => {
  const latenciesMs: number[] = [];
  const store = freshStore({ onWriteLatencyMs: (ms) => latenciesMs.push(ms) });
  await store.save({ entries: entryRange(1, 3, 1), hardState: hardState(1, 3) });
  await store.compact(snapshotAt(2, 1));
  assert.is(latenciesMs.length, 2);
  assert.ok(latenciesMs.every((ms) => ms >= 0 && ms < 5_000));
});

test("100 000 entries save in one batch and load in under 2 seconds", async () => {
  const store = freshStore();
  const entryCount = 100_000;
  const payload = "x".repeat(100);
  await store.save({
    entries: Array.from({ length: entryCount }, (_, offset) => entry(offset + 1, 1, payload)),
  });
  const startedAt = performance.now();
  const loaded = await store.load();
  const elapsedMs = performance.now() - startedAt;
  assert.is(loaded.entries.length, entryCount);
  assert.equal(loaded.entries[entryCount - 1], entry(entryCount, 1, payload));
  assert.ok(elapsedMs < 2_000, `loading took ${elapsedMs.toFixed(0)} ms`);
});

test.run();
