import { test } from "uvu";
import * as assert from "uvu/assert";
import { RaftInvariantError } from "../../../cluster/raft/errors.ts";
import { RaftLog } from "../../../cluster/raft/log.ts";
import { MemoryStorage } from "../../../cluster/raft/storage.ts";
import type { Entry } from "../../../cluster/raft/types.ts";
import { entriesWithTerms, entry } from "./support/raft-fixture.ts";

const confState = { voters: ["n1", "n2", "n3"], learners: [] };
const isInvariantError = (error: unknown) => error instanceof RaftInvariantError;
const noLimit = Number.MAX_SAFE_INTEGER;

/** A RaftLog whose storage holds `stableTerms`, followed by unstable `unstableTerms`. */
function logWith(stableTerms: number[], unstableTerms: number[] = [], maxApplyBytes = noLimit) {
  const storage = new MemoryStorage(confState);
  storage.append(entriesWithTerms(stableTerms));
  const log = new RaftLog(storage, maxApplyBytes);
  log.append(entriesWithTerms(unstableTerms, stableTerms.length + 1));
  return log;
}

function indexesOf(entries: Entry[] | undefined): number[] | undefined {
  return entries?.map((e) => e.index);
}

test("the log spans storage and unstable entries", () => {
  const log = logWith([1, 1, 2], [2, 3]);
  assert.is(log.firstIndex(), 1);
  assert.is(log.lastIndex(), 5);
  assert.is(log.stableLastIndex(), 3);
  assert.is(log.lastTerm(), 3);
  assert.equal(
    [0, 1, 2, 3, 4, 5, 6].map((index) => log.term(index)),
    [0, 1, 1, 2, 2, 3, undefined],
  );
});

test("findConflictByTerm finds the last index whose term is at most the given term", () => {
  // index: 1 2 3 4 5 6 7
  // term:  1 1 2 2 2 4 4
  const log = logWith([1, 1, 2, 2, 2, 4, 4]);
  const cases: Array<[index: number, term: number, expected: { index: number; term: number }]> = [
    [7, 5, { index: 7, term: 4 }],
    [7, 4, { index: 7, term: 4 }],
    [7, 3, { index: 5, term: 2 }],
    [7, 2, { index: 5, term: 2 }],
    [7, 1, { index: 2, term: 1 }],
    [7, 0, { index: 0, term: 0 }],
    [4, 1, { index: 2, term: 1 }],
    [4, 2, { index: 4, term: 2 }],
  ];
  for (const [index, term, expected] of cases) {
    assert.equal(log.findConflictByTerm(index, term), expected, `(${index}, ${term})`);
  }
});

test("findConflictByTerm stops at the compaction point with an unknown term", () => {
  const storage = new MemoryStorage(confState);
  storage.append(entriesWithTerms([1, 1, 2, 2, 2]));
  storage.createSnapshot(3, confState, "");
  storage.compact(3);
  const log = new RaftLog(storage, noLimit);
  assert.equal(log.findConflictByTerm(5, 1), { index: 2, term: 0 });
  assert.equal(log.findConflictByTerm(5, 2), { index: 5, term: 2 });
});

test("a log is up to date when its last term is higher, or equal and at least as long", () => {
  const log = logWith([1, 2, 2]);
  const cases: Array<[lastIndex: number, lastTerm: number, upToDate: boolean]> = [
    [3, 2, true],
    [4, 2, true],
    [2, 2, false],
    [1, 3, true],
    [9, 1, false],
  ];
  for (const [lastIndex, lastTerm, upToDate] of cases) {
    assert.is(log.isUpToDate(lastIndex, lastTerm), upToDate, `(${lastIndex}, ${lastTerm})`);
  }
});

test("maybeAppend refuses entries whose previous entry does not match", () => {
  const log = logWith([1, 2]);
  assert.is(log.maybeAppend(2, 1, 0, [entry(3, 2)]), undefined, "term mismatch at 2");
  assert.is(log.maybeAppend(4, 2, 0, [entry(5, 2)]), undefined, "2 is the last index");
  assert.is(log.lastIndex(), 2);
});

test("maybeAppend skips entries it has and truncates only at a real conflict", () => {
  const log = logWith([1, 2, 2]);
  assert.is(log.maybeAppend(0, 0, 0, entriesWithTerms([1, 2])), 2);
  assert.is(log.lastIndex(), 3, "matching entries never drop the entry after them");
  assert.equal(log.unstableEntries(), []);
  assert.is(log.maybeAppend(1, 1, 0, entriesWithTerms([2, 3, 3], 2)), 4);
  assert.equal(log.unstableEntries(), entriesWithTerms([3, 3], 3), "written from the conflict on");
  assert.equal(
    [1, 2, 3, 4].map((index) => log.term(index)),
    [1, 2, 3, 3],
  );
});

test("maybeAppend commits up to the leader's commit, but not past the new entries", () => {
  const log = logWith([1, 1, 1, 1]);
  log.maybeAppend(1, 1, 10, [entry(2, 1)]);
  assert.is(log.committed, 2, "the entries after 2 may not be the leader's");
  log.maybeAppend(2, 1, 3, []);
  assert.is(log.committed, 2, "an empty append covers up to its previous index only");
  log.maybeAppend(3, 1, 3, []);
  assert.is(log.committed, 3);
});

test("a conflict at or below the commit index is an invariant violation", () => {
  const log = logWith([1, 1, 1]);
  log.commitTo(2);
  assert.throws(() => log.maybeAppend(1, 1, 0, [entry(2, 2)]), isInvariantError);
  assert.throws(() => log.append([entry(2, 2)]), isInvariantError);
  assert.is(log.term(2), 1);
});

test("commit never moves backwards and never past the last entry", () => {
  const log = logWith([1, 1, 1]);
  log.commitTo(2);
  log.commitTo(1);
  assert.is(log.committed, 2);
  assert.throws(() => log.commitTo(4), isInvariantError);
});

test("maybeCommit commits only an index of the given term", () => {
  const log = logWith([1, 2, 3]);
  assert.not.ok(log.maybeCommit(2, 3));
  assert.is(log.committed, 0);
  assert.ok(log.maybeCommit(3, 3));
  assert.is(log.committed, 3);
  assert.not.ok(log.maybeCommit(3, 3), "already committed");
});

test("applied stays between the previous applied index and the commit", () => {
  const log = logWith([1, 1, 1]);
  log.commitTo(2);
  log.appliedTo(2);
  assert.is(log.applied, 2);
  assert.throws(() => log.appliedTo(3), isInvariantError);
  assert.throws(() => log.appliedTo(1), isInvariantError);
});

test("committed entries are handed out once, within the apply byte limit", () => {
  const storage = new MemoryStorage(confState);
  storage.append(["aa", "bb", "cc", "dd"].map((data, i) => entry(i + 1, 1, data)));
  const log = new RaftLog(storage, 4);
  assert.not.ok(log.hasNextCommittedEntries());
  log.commitTo(3);
  assert.ok(log.hasNextCommittedEntries());
  assert.equal(indexesOf(log.nextCommittedEntries()), [1, 2], "4 bytes per batch");
  log.appliedTo(2);
  assert.equal(indexesOf(log.nextCommittedEntries()), [3]);
  log.appliedTo(3);
  assert.not.ok(log.hasNextCommittedEntries());
  assert.equal(log.nextCommittedEntries(), []);
});

test("slice joins stable and unstable entries and respects the byte limit", () => {
  const storage = new MemoryStorage(confState);
  storage.append(["a", "b"].map((data, i) => entry(i + 1, 1, data)));
  const log = new RaftLog(storage, noLimit);
  log.append(["c", "d"].map((data, i) => entry(i + 3, 2, data)));
  assert.equal(indexesOf(log.slice(1, 5, noLimit)), [1, 2, 3, 4]);
  assert.equal(indexesOf(log.slice(2, 4, noLimit)), [2, 3]);
  assert.equal(indexesOf(log.slice(1, 5, 3)), [1, 2, 3]);
  assert.equal(indexesOf(log.slice(1, 5, 1)), [1], "stable part cut by the limit");
  assert.equal(log.slice(3, 3, noLimit), []);
  assert.throws(() => log.slice(1, 6, noLimit), isInvariantError);
});

test("slice of compacted entries is undefined: the follower needs a snapshot", () => {
  const storage = new MemoryStorage(confState);
  storage.append(entriesWithTerms([1, 1, 1, 1]));
  storage.createSnapshot(2, confState, "");
  storage.compact(2);
  const log = new RaftLog(storage, noLimit);
  assert.is(log.firstIndex(), 3);
  assert.is(log.committed, 2, "a compacted log starts committed and applied up to its snapshot");
  assert.is(log.applied, 2);
  assert.is(log.slice(2, 4, noLimit), undefined);
  assert.equal(indexesOf(log.slice(3, 5, noLimit)), [3, 4]);
});

test("restore replaces the log with a snapshot and commits it", () => {
  const log = logWith([1, 1], [1]);
  log.restore({ metadata: { index: 10, term: 3, confState }, data: "" });
  assert.is(log.firstIndex(), 11);
  assert.is(log.lastIndex(), 10);
  assert.is(log.lastTerm(), 3);
  assert.is(log.committed, 10);
  assert.equal(log.unstableEntries(), []);
  assert.is(log.snapshot().metadata.index, 10, "the incoming snapshot is the log's snapshot");
  assert.not.ok(
    log.hasNextCommittedEntries(),
    "a snapshot is installed, not applied entry by entry",
  );
});

test("stableTo through the log ignores an acknowledgement for a replaced entry", () => {
  const log = logWith([1], [1, 1]);
  log.append([entry(3, 2)]);
  log.stableTo(3, 1);
  assert.equal(log.unstableEntries(), [entry(2, 1), entry(3, 2)], "nothing became stable");
  log.stableTo(3, 2);
  assert.equal(log.unstableEntries(), []);
});

test.run();
