import { test } from "uvu";
import * as assert from "uvu/assert";
import { RaftInvariantError } from "../../../cluster/raft/errors.ts";
import { UnstableLog } from "../../../cluster/raft/log-unstable.ts";
import type { Snapshot } from "../../../cluster/raft/types.ts";
import { entriesWithTerms } from "./support/raft-fixture.ts";

function snapshotAt(index: number, term: number): Snapshot {
  return { metadata: { index, term, confState: { voters: ["n1"], learners: [] } }, data: "" };
}

function unstableWith(offset: number, terms: number[]): UnstableLog {
  const unstable = new UnstableLog(offset);
  unstable.truncateAndAppend(entriesWithTerms(terms, offset));
  return unstable;
}

test("first and last index come from the snapshot and the entries", () => {
  const empty = new UnstableLog(5);
  assert.is(empty.maybeFirstIndex(), undefined);
  assert.is(empty.maybeLastIndex(), undefined);
  const withEntries = unstableWith(5, [1, 1]);
  assert.is(withEntries.maybeFirstIndex(), undefined, "only a snapshot knows the first index");
  assert.is(withEntries.maybeLastIndex(), 6);
  const withSnapshot = new UnstableLog(1);
  withSnapshot.restore(snapshotAt(4, 2));
  assert.is(withSnapshot.maybeFirstIndex(), 5);
  assert.is(withSnapshot.maybeLastIndex(), 4);
});

test("terms are known for unstable entries and the snapshot's last entry only", () => {
  const unstable = new UnstableLog(1);
  unstable.restore(snapshotAt(4, 2));
  unstable.truncateAndAppend(entriesWithTerms([3, 3], 5));
  assert.is(unstable.maybeTerm(4), 2);
  assert.is(unstable.maybeTerm(5), 3);
  assert.is(unstable.maybeTerm(6), 3);
  assert.is(unstable.maybeTerm(3), undefined);
  assert.is(unstable.maybeTerm(7), undefined);
});

test("stableTo moves persisted entries out", () => {
  const unstable = unstableWith(5, [1, 1, 2]);
  unstable.stableTo(6, 1);
  assert.is(unstable.offset, 7);
  assert.equal(unstable.entries, entriesWithTerms([2], 7));
});

test("stableTo ignores an acknowledgement for an entry that was since replaced (ABA)", () => {
  // Entries 5 and 6 of term 1 go to disk; meanwhile a leader of term 2
  // replaces entry 6. The late "6 at term 1 is durable" must not mark the
  // new entry 6 as persisted.
  const unstable = unstableWith(5, [1, 1]);
  unstable.truncateAndAppend(entriesWithTerms([2], 6));
  unstable.stableTo(6, 1);
  assert.is(unstable.offset, 5, "nothing moved");
  assert.equal(
    unstable.entries.map((e) => e.term),
    [1, 2],
  );
  unstable.stableTo(6, 2);
  assert.is(unstable.offset, 7);
  assert.equal(unstable.entries, []);
});

test("stableTo ignores indexes that are already stable or unknown", () => {
  const unstable = unstableWith(5, [1, 1]);
  unstable.stableTo(4, 1);
  unstable.stableTo(9, 1);
  assert.is(unstable.offset, 5);
  assert.is(unstable.entries.length, 2);
});

test("stableTo does not take the snapshot's last entry for a persisted entry", () => {
  const unstable = new UnstableLog(1);
  unstable.restore(snapshotAt(4, 2));
  unstable.stableTo(4, 2);
  assert.is(unstable.offset, 5);
  assert.ok(unstable.snapshot, "the snapshot is still waiting to be persisted");
  unstable.stableSnapshotTo(3);
  assert.ok(unstable.snapshot, "a different index does not clear it");
  unstable.stableSnapshotTo(4);
  assert.is(unstable.snapshot, undefined);
});

test("appending right after the last entry extends the entries", () => {
  const unstable = unstableWith(5, [1, 1]);
  unstable.truncateAndAppend(entriesWithTerms([1, 2], 7));
  assert.is(unstable.offset, 5);
  assert.equal(
    unstable.entries.map((e) => [e.index, e.term]),
    [
      [5, 1],
      [6, 1],
      [7, 1],
      [8, 2],
    ],
  );
});

test("appending inside the entries truncates the conflicting suffix", () => {
  const unstable = unstableWith(5, [1, 1, 1]);
  unstable.truncateAndAppend(entriesWithTerms([2, 2], 6));
  assert.equal(
    unstable.entries.map((e) => [e.index, e.term]),
    [
      [5, 1],
      [6, 2],
      [7, 2],
    ],
  );
});

test("appending at or before the offset replaces every unstable entry", () => {
  const unstable = unstableWith(5, [1, 1]);
  unstable.truncateAndAppend(entriesWithTerms([3], 3));
  assert.is(unstable.offset, 3);
  assert.equal(unstable.entries, entriesWithTerms([3], 3));
});

test("restore drops the entries and starts after the snapshot", () => {
  const unstable = unstableWith(5, [1, 1]);
  unstable.restore(snapshotAt(20, 4));
  assert.is(unstable.offset, 21);
  assert.equal(unstable.entries, []);
  assert.is(unstable.snapshot?.metadata.index, 20);
});

test("slicing outside the unstable range is an invariant violation", () => {
  const unstable = unstableWith(5, [1, 1, 1]);
  assert.equal(unstable.slice(5, 7), entriesWithTerms([1, 1], 5));
  assert.equal(unstable.slice(8, 8), []);
  assert.throws(
    () => unstable.slice(4, 6),
    (error: unknown) => error instanceof RaftInvariantError,
  );
  assert.throws(
    () => unstable.slice(6, 9),
    (error: unknown) => error instanceof RaftInvariantError,
  );
  assert.throws(
    () => unstable.slice(7, 6),
    (error: unknown) => error instanceof RaftInvariantError,
  );
});

test.run();
