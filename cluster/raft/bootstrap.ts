import type { MemoryStorage } from "./storage.ts";
import type { ConfChange, Entry, NodeId } from "./types.ts";

/**
 * Writes the initial membership of a brand-new cluster into an empty log:
 * one committed `addVoter` entry per founding member at term 1, identical on
 * every founder. Members that join later start empty and learn the whole
 * membership history from the log (or a snapshot) like any other entry.
 */
export function bootstrapEntries(founders: readonly NodeId[]): Entry[] {
  return [...founders].sort().map((nodeId, position) => {
    const change: ConfChange = { type: "addVoter", nodeId };
    return { index: position + 1, term: 1, type: "confChange", data: JSON.stringify(change) };
  });
}

/** Bootstraps `storage` if it is empty; returns whether it did. */
export function bootstrapStorage(storage: MemoryStorage, founders: readonly NodeId[]): boolean {
  if (storage.lastIndex() > 0 || storage.initialState().hardState.term > 0) return false;
  const entries = bootstrapEntries(founders);
  storage.append(entries);
  storage.setHardState({ term: 1, vote: "", commit: entries.length });
  return true;
}
