import { err, ok, type Result } from "../../shared/result.ts";
import type { ConfState, Entry, HardState, Snapshot } from "../raft/types.ts";
import { decodeEntry, parseCount } from "./entry-codec.ts";

/**
 * Everything a node persisted for its Raft core, as loaded at start:
 * `entries` are contiguous and start right after the snapshot's index (or at 1).
 */
export interface PersistedRaftState {
  hardState: HardState;
  snapshot: Snapshot | null;
  entries: Entry[];
}

/** The state of a node that never persisted anything. */
export function emptyPersistedState(): PersistedRaftState {
  return { hardState: { term: 0, vote: "", commit: 0 }, snapshot: null, entries: [] };
}

/** What Redis returned for the three keys of the store, read in one transaction. */
export interface StoredReplies {
  /** HMGET hard state: term, vote, commit. */
  hardStateFields: unknown;
  /** HMGET snapshot: index, term, confState, data. */
  snapshotFields: unknown;
  /** LRANGE of the whole log. */
  encodedEntries: unknown;
}

/**
 * Rebuilds the persisted state from Redis's replies and checks that it holds
 * together: every entry readable, indexes contiguous from the snapshot on,
 * terms never going down, the commit index within the log. Anything else is
 * `STORAGE_CORRUPT` with what is wrong.
 */
export function decodePersistedState(
  replies: StoredReplies,
): Result<PersistedRaftState, "STORAGE_CORRUPT"> {
  const hardState = decodeHardState(replies.hardStateFields);
  if (!hardState.ok) return hardState;
  const snapshot = decodeSnapshot(replies.snapshotFields);
  if (!snapshot.ok) return snapshot;
  if (!Array.isArray(replies.encodedEntries)) return corrupt("the log is not a list");

  const snapshotIndex = snapshot.value?.metadata.index ?? 0;
  let previousTerm = snapshot.value?.metadata.term ?? 0;
  const entries: Entry[] = new Array(replies.encodedEntries.length);
  for (let position = 0; position < entries.length; position++) {
    const encoded: unknown = replies.encodedEntries[position];
    const entry = typeof encoded === "string" ? decodeEntry(encoded) : null;
    const expectedIndex = snapshotIndex + 1 + position;
    if (!entry) return corrupt(`log entry ${expectedIndex} is unreadable`);
    if (entry.index !== expectedIndex) {
      return corrupt(
        `log position ${position} holds entry ${entry.index}, expected ${expectedIndex}`,
      );
    }
    if (entry.term < previousTerm) {
      return corrupt(
        `entry ${entry.index} has term ${entry.term}, lower than ${previousTerm} before it`,
      );
    }
    previousTerm = entry.term;
    entries[position] = entry;
  }
  const lastIndex = snapshotIndex + entries.length;
  if (hardState.value.commit > lastIndex) {
    return corrupt(
      `commit index ${hardState.value.commit} is beyond the last log index ${lastIndex}`,
    );
  }
  return ok({ hardState: hardState.value, snapshot: snapshot.value, entries });
}

function decodeHardState(fields: unknown): Result<HardState, "STORAGE_CORRUPT"> {
  const values = stringFields(fields, 3);
  if (!values) return corrupt("the hard state is unreadable");
  if (values.every((value) => value === null)) return ok(emptyPersistedState().hardState);
  const [termText, vote, commitText] = values;
  const term = parseCount(termText ?? "");
  const commit = parseCount(commitText ?? "");
  if (term === null || commit === null || vote === null || vote === undefined) {
    return corrupt(`the hard state is incomplete or unreadable: ${JSON.stringify(values)}`);
  }
  return ok({ term, vote, commit });
}

function decodeSnapshot(fields: unknown): Result<Snapshot | null, "STORAGE_CORRUPT"> {
  const values = stringFields(fields, 4);
  if (!values) return corrupt("the snapshot is unreadable");
  if (values.every((value) => value === null)) return ok(null);
  const [indexText, termText, confStateText, data] = values;
  const index = parseCount(indexText ?? "");
  const term = parseCount(termText ?? "");
  const confState = parseConfState(confStateText ?? "");
  if (index === null || term === null || !confState || data === null || data === undefined) {
    return corrupt(`the snapshot's metadata is incomplete or unreadable (index ${indexText})`);
  }
  return ok({ metadata: { index, term, confState }, data });
}

function parseConfState(text: string): ConfState | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null) return null;
  const voters: unknown = Reflect.get(value, "voters");
  const learners: unknown = Reflect.get(value, "learners");
  if (!isStringArray(voters) || !isStringArray(learners)) return null;
  return { voters, learners };
}

/** HMGET's reply: `count` values, each a string or null (field missing). */
function stringFields(fields: unknown, count: number): (string | null)[] | null {
  if (!Array.isArray(fields) || fields.length !== count) return null;
  const values: (string | null)[] = [];
  for (const value of fields) {
    if (value !== null && typeof value !== "string") return null;
    values.push(value);
  }
  return values;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

function corrupt(message: string): {
  ok: false;
  error: { code: "STORAGE_CORRUPT"; message: string };
} {
  return err("STORAGE_CORRUPT", message);
}
