import { err, ok, type Result } from "../../shared/result.ts";
import type { Entry, HardState, Snapshot } from "../raft/types.ts";

/**
 * What one Ready of the Raft core asks to persist, written in one atomic
 * step: the snapshot first, then the entries, then the hard state.
 */
export interface SaveBatch {
  hardState?: HardState;
  /** Contiguous; an entry at an index the log already holds replaces it and everything after it. */
  entries?: Entry[];
  snapshot?: Snapshot;
}

/**
 * Checks what can be checked without the stored log: numbers are
 * non-negative integers, entries are contiguous with terms that never go
 * down, a snapshot has an index and a term. The save script checks the rest
 * against the stored log.
 */
export function validateSaveBatch(batch: SaveBatch): Result<null, "STORAGE_REJECTED"> {
  if (batch.hardState) {
    const { term, vote, commit } = batch.hardState;
    if (!isCount(term) || !isCount(commit) || typeof vote !== "string") {
      return rejected(`hard state ${JSON.stringify(batch.hardState)} is not valid`);
    }
  }
  if (batch.snapshot) {
    const snapshotCheck = validateSnapshot(batch.snapshot);
    if (!snapshotCheck.ok) return snapshotCheck;
  }
  const entries = batch.entries ?? [];
  for (let position = 0; position < entries.length; position++) {
    const entry = entries[position]!;
    const previous = entries[position - 1];
    if (!isCount(entry.index) || entry.index === 0 || !isCount(entry.term) || entry.term === 0) {
      return rejected(
        `entry at position ${position} has index ${entry.index} and term ${entry.term}; both must be positive integers`,
      );
    }
    if (entry.type !== "normal" && entry.type !== "confChange") {
      return rejected(`entry ${entry.index} has unknown type ${JSON.stringify(entry.type)}`);
    }
    if (typeof entry.data !== "string") {
      return rejected(`entry ${entry.index} has data that is not a string`);
    }
    if (previous && entry.index !== previous.index + 1) {
      return rejected(`entries are not contiguous: ${entry.index} follows ${previous.index}`);
    }
    if (previous && entry.term < previous.term) {
      return rejected(
        `entry ${entry.index} has term ${entry.term}, lower than ${previous.term} before it`,
      );
    }
  }
  return ok(null);
}

/** Checks a snapshot's metadata: index and term are positive integers, members are ids. */
export function validateSnapshot(snapshot: Snapshot): Result<null, "STORAGE_REJECTED"> {
  const { index, term, confState } = snapshot.metadata;
  if (!isCount(index) || index === 0 || !isCount(term) || term === 0) {
    return rejected(`snapshot has index ${index} and term ${term}; both must be positive integers`);
  }
  if (!isIdList(confState.voters) || !isIdList(confState.learners)) {
    return rejected(`snapshot at index ${index} has a membership that is not two lists of ids`);
  }
  if (typeof snapshot.data !== "string") {
    return rejected(`snapshot at index ${index} has data that is not a string`);
  }
  return ok(null);
}

function isCount(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

function isIdList(value: unknown): boolean {
  return Array.isArray(value) && value.every((id) => typeof id === "string");
}

function rejected(message: string): Result<null, "STORAGE_REJECTED"> {
  return err("STORAGE_REJECTED", message);
}
