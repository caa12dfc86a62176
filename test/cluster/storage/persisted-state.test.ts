import { test } from "uvu";
import * as assert from "uvu/assert";
import { encodeEntry } from "../../../cluster/storage/entry-codec.ts";
import {
  decodePersistedState,
  emptyPersistedState,
} from "../../../cluster/storage/persisted-state.ts";
import { entryRange, snapshotAt } from "./log-model.ts";

const noHardState = [null, null, null];
const noSnapshot = [null, null, null, null];
const snapshotFields = (index: number, term: number) => {
  const snapshot = snapshotAt(index, term);
  return [String(index), String(term), JSON.stringify(snapshot.metadata.confState), snapshot.data];
};

test("nothing stored decodes to the empty state", () => {
  const decoded = decodePersistedState({
    hardStateFields: noHardState,
    snapshotFields: noSnapshot,
    encodedEntries: [],
  });
  assert.equal(decoded, { ok: true, value: emptyPersistedState() });
});

test("a snapshot, entries after it and a hard state decode together", () => {
  const decoded = decodePersistedState({
    hardStateFields: ["3", "n2", "7"],
    snapshotFields: snapshotFields(5, 2),
    encodedEntries: entryRange(6, 8, 3).map(encodeEntry),
  });
  assert.equal(decoded, {
    ok: true,
    value: {
      hardState: { term: 3, vote: "n2", commit: 7 },
      snapshot: snapshotAt(5, 2),
      entries: entryRange(6, 8, 3),
    },
  });
});

function corruption(replies: Parameters<typeof decodePersistedState>[0]): string {
  const decoded = decodePersistedState(replies);
  assert.is(decoded.ok, false, "expected STORAGE_CORRUPT");
  if (decoded.ok) return "";
  assert.is(decoded.error.code, "STORAGE_CORRUPT");
  return decoded.error.message;
}

test("entries that do not start right after the snapshot are corrupt", () => {
  const message = corruption({
    hardStateFields: noHardState,
    snapshotFields: snapshotFields(5, 2),
    encodedEntries: entryRange(7, 8, 3).map(encodeEntry),
  });
  assert.match(message, /holds entry 7, expected 6/);
});

test("terms that go down are corrupt", () => {
  const message = corruption({
    hardStateFields: noHardState,
    snapshotFields: snapshotFields(5, 4),
    encodedEntries: entryRange(6, 6, 3).map(encodeEntry),
  });
  assert.match(message, /term 3, lower than 4/);
});

test("a commit index beyond the log is corrupt", () => {
  const message = corruption({
    hardStateFields: ["1", "", "4"],
    snapshotFields: noSnapshot,
    encodedEntries: entryRange(1, 3, 1).map(encodeEntry),
  });
  assert.match(message, /commit index 4 is beyond the last log index 3/);
});

test("a half-written hard state or snapshot is corrupt", () => {
  corruption({ hardStateFields: ["1", null, "0"], snapshotFields: noSnapshot, encodedEntries: [] });
  corruption({
    hardStateFields: noHardState,
    snapshotFields: ["5", "2", null, "data"],
    encodedEntries: [],
  });
  corruption({
    hardStateFields: noHardState,
    snapshotFields: ["5", "2", "{not json", "data"],
    encodedEntries: [],
  });
});

test.run();
