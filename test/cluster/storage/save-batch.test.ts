import { test } from "uvu";
import * as assert from "uvu/assert";
import { validateSaveBatch, validateSnapshot } from "../../../cluster/storage/save-batch.ts";
import { entry, entryRange, hardState, snapshotAt } from "./log-model.ts";

test("a well-formed batch passes", () => {
  const batch = {
    snapshot: snapshotAt(4, 2),
    entries: entryRange(5, 9, 3),
    hardState: hardState(3, 7, "n1"),
  };
  assert.ok(validateSaveBatch(batch).ok);
  assert.ok(validateSaveBatch({}).ok);
});

test("entries must be contiguous", () => {
  const result = validateSaveBatch({ entries: [entry(1, 1), entry(2, 1), entry(4, 1)] });
  assert.is(result.ok, false);
  if (!result.ok) {
    assert.is(result.error.code, "STORAGE_REJECTED");
    assert.match(result.error.message, /not contiguous: 4 follows 2/);
  }
});

test("entry terms never go down", () => {
  assert.is(validateSaveBatch({ entries: [entry(1, 2), entry(2, 1)] }).ok, false);
});

test("indexes and terms are positive integers", () => {
  assert.is(validateSaveBatch({ entries: [entry(0, 1)] }).ok, false);
  assert.is(validateSaveBatch({ entries: [entry(1, 0)] }).ok, false);
  assert.is(validateSaveBatch({ entries: [entry(1.5, 1)] }).ok, false);
  assert.is(validateSaveBatch({ hardState: hardState(-1, 0) }).ok, false);
  assert.is(validateSaveBatch({ hardState: hardState(1, Number.NaN) }).ok, false);
});

test("a snapshot needs a positive index and term and two lists of member ids", () => {
  assert.ok(validateSnapshot(snapshotAt(1, 1)).ok);
  assert.is(validateSnapshot(snapshotAt(0, 1)).ok, false);
  assert.is(validateSnapshot(snapshotAt(3, 0)).ok, false);
  const badMembers = snapshotAt(3, 1);
  badMembers.metadata.confState.voters = [1 as unknown as string];
  assert.is(validateSnapshot(badMembers).ok, false);
});

test.run();
