/**
 * What a Raft log store must hold after each write: the reference model the
 * Redis store is tested against, and the disk of the simulated store.
 */

import type { Snapshot } from "../../cluster/raft/types.ts";
import type { PersistedRaftState } from "../../cluster/storage/persisted-state.ts";
import type { SaveBatch } from "../../cluster/storage/save-batch.ts";

/** One write to the store: a save or a compaction. */
export type LogWrite = { kind: "save"; batch: SaveBatch } | { kind: "compact"; snapshot: Snapshot };

export function lastIndexOf(state: PersistedRaftState): number {
  return (state.snapshot?.metadata.index ?? 0) + state.entries.length;
}

export function termAt(state: PersistedRaftState, index: number): number | null {
  const snapshotIndex = state.snapshot?.metadata.index ?? 0;
  if (index === snapshotIndex) return state.snapshot?.metadata.term ?? 0;
  return state.entries[index - snapshotIndex - 1]?.term ?? null;
}

/** What the store must hold after `write` succeeds on `state` (the write is assumed valid). */
export function applyWrite(state: PersistedRaftState, write: LogWrite): PersistedRaftState {
  if (write.kind === "compact") {
    const { index } = write.snapshot.metadata;
    if (index <= (state.snapshot?.metadata.index ?? 0)) return state;
    return {
      ...state,
      snapshot: write.snapshot,
      entries: state.entries.filter((kept) => kept.index > index),
    };
  }
  let { snapshot, entries } = state;
  const { batch } = write;
  if (batch.snapshot) {
    const { index, term } = batch.snapshot.metadata;
    entries = termAt(state, index) === term ? entries.filter((kept) => kept.index > index) : [];
    snapshot = batch.snapshot;
  }
  const first = batch.entries?.[0];
  if (first) entries = [...entries.filter((kept) => kept.index < first.index), ...batch.entries!];
  return { hardState: batch.hardState ?? state.hardState, snapshot, entries };
}
