import { test } from "uvu";
import * as assert from "uvu/assert";
import { RaftInvariantError } from "../../../cluster/raft/errors.ts";
import { entriesSize, limitSize, MemoryStorage } from "../../../cluster/raft/storage.ts";
import type { Entry } from "../../../cluster/raft/types.ts";
import { entriesWithTerms, entry } from "./support/raft-fixture.ts";

const confState = { voters: ["n1", "n2", "n3"], learners: [] };
const isInvariantError = (error: unknown) => error instanceof RaftInvariantError;

/** Entries 1..5 with terms 1,1,2,2,3 and data "e1".."e5". */
function storageWithFive(): MemoryStorage {
  const storage = new MemoryStorage(confState);
  storage.append(entriesWithTerms([1, 1, 2, 2, 3]).map((e) => ({ ...e, data: `e${e.index}` })));
  return storage;
}

test("a new storage is empty with the given membership and a zero hard state", () => {
  const storage = new MemoryStorage(confState);
  assert.is(storage.firstIndex(), 1);
  assert.is(storage.lastIndex(), 0);
  assert.is(storage.term(0), 0);
  assert.equal(storage.initialState(), {
    hardState: { term: 0, vote: "", commit: 0 },
    confState,
  });
});

test("the hard state is stored by value", () => {
  const storage = new MemoryStorage(confState);
  const hardState = { term: 3, vote: "n2", commit: 0 };
  storage.setHardState(hardState);
  hardState.term = 99;
  assert.equal(storage.initialState().hardState, { term: 3, vote: "n2", commit: 0 });
});

test("terms are defined from the entry before the first one to the last one", () => {
  const storage = storageWithFive();
  assert.equal(
    [0, 1, 2, 3, 4, 5].map((index) => storage.term(index)),
    [0, 1, 1, 2, 2, 3],
  );
  assert.is(storage.term(6), undefined);
  assert.is(storage.term(-1), undefined);
});

test("entries returns [low, high) within the byte limit, but at least one entry", () => {
  const storage = storageWithFive();
  assert.equal(
    storage.entries(2, 5, Number.MAX_SAFE_INTEGER)?.map((e) => e.index),
    [2, 3, 4],
  );
  assert.equal(
    storage.entries(2, 5, 4)?.map((e) => e.index),
    [2, 3],
    "two 2-byte entries fit in 4 bytes",
  );
  assert.equal(
    storage.entries(2, 5, 0)?.map((e) => e.index),
    [2],
    "one entry even over the limit",
  );
});

test("entries below the first index are compacted and beyond the last are a bug", () => {
  const storage = storageWithFive();
  storage.createSnapshot(2, confState, "state@2");
  storage.compact(2);
  assert.is(storage.entries(2, 4, 100), undefined);
  assert.equal(
    storage.entries(3, 4, 100)?.map((e) => e.index),
    [3],
  );
  assert.throws(() => storage.entries(3, 7, 100), isInvariantError);
});

test("append replaces a conflicting suffix", () => {
  const storage = storageWithFive();
  storage.append([entry(4, 5, "x4"), entry(5, 5, "x5"), entry(6, 5, "x6")]);
  assert.equal(
    storage.allEntries().map((e) => [e.index, e.term]),
    [
      [1, 1],
      [2, 1],
      [3, 2],
      [4, 5],
      [5, 5],
      [6, 5],
    ],
  );
  storage.append([entry(3, 6)]);
  assert.is(storage.lastIndex(), 3, "writing entry i discards every stored entry from i on");
});

test("append after a gap is a bug", () => {
  const storage = storageWithFive();
  assert.throws(() => storage.append([entry(7, 3)]), isInvariantError);
  assert.is(storage.lastIndex(), 5);
});

test("append skips entries already covered by the snapshot", () => {
  const storage = storageWithFive();
  storage.createSnapshot(3, confState, "");
  storage.compact(3);
  storage.append([entry(2, 1), entry(3, 2), entry(4, 4)]);
  assert.is(storage.firstIndex(), 4);
  assert.equal(
    storage.allEntries().map((e) => [e.index, e.term]),
    [[4, 4]],
  );
  storage.append([entry(1, 1)]);
  assert.is(storage.lastIndex(), 4, "an append wholly below the snapshot changes nothing");
});

test("compact keeps the compacted index's term for the log-matching check", () => {
  const storage = storageWithFive();
  storage.compact(3);
  assert.is(storage.firstIndex(), 4);
  assert.is(storage.lastIndex(), 5);
  assert.is(storage.term(3), 2);
  assert.is(storage.term(2), undefined);
  storage.compact(2);
  assert.is(storage.firstIndex(), 4, "compacting below the first index does nothing");
  assert.throws(() => storage.compact(6), isInvariantError);
});

test("createSnapshot records the term at its index and ignores an older snapshot", () => {
  const storage = storageWithFive();
  const snapshot = storage.createSnapshot(4, confState, "state@4");
  assert.equal(snapshot.metadata, { index: 4, term: 2, confState });
  assert.is(storage.snapshot().data, "state@4");
  assert.is(storage.createSnapshot(3, confState, "older"), snapshot);
  assert.is(storage.snapshot().data, "state@4");
  assert.throws(() => storage.createSnapshot(9, confState, ""), isInvariantError);
});

test("applySnapshot replaces the whole log and ignores a snapshot that is not newer", () => {
  const storage = storageWithFive();
  const membership = { voters: ["n1", "n2"], learners: ["n4"] };
  storage.applySnapshot({ metadata: { index: 10, term: 4, confState: membership }, data: "s" });
  assert.is(storage.firstIndex(), 11);
  assert.is(storage.lastIndex(), 10);
  assert.is(storage.term(10), 4);
  assert.equal(storage.allEntries(), []);
  assert.equal(storage.initialState().confState, membership);
  storage.applySnapshot({ metadata: { index: 8, term: 4, confState }, data: "old" });
  assert.is(storage.snapshot().data, "s");
});

test("entry sizes count the data, and limitSize keeps a prefix within the limit", () => {
  const entries: Entry[] = [entry(1, 1, "aaa"), entry(2, 1, "bb"), entry(3, 1, "cccc")];
  assert.is(entriesSize(entries), 9);
  assert.is(entriesSize([]), 0);
  assert.equal(
    limitSize(entries, 5).map((e) => e.index),
    [1, 2],
  );
  assert.equal(
    limitSize(entries, 4).map((e) => e.index),
    [1],
  );
  assert.equal(
    limitSize(entries, 1).map((e) => e.index),
    [1],
    "always at least one",
  );
  assert.is(limitSize(entries, 9), entries, "everything fits: the same array");
});

test.run();
