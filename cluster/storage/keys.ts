/**
 * Every Redis key of the Raft log store, built from the node's key prefix
 * (`nexaloak:<NODE_ID>:` by default). Nothing else in the code base puts
 * these names together, so the layout can be read in one place:
 *
 * - `<prefix>raft:log`: LIST of encoded entries (see entry-codec.ts), oldest
 *   first. The first element is the entry right after the snapshot (index
 *   snapshot.index + 1, or 1 without a snapshot), so cutting a conflicting
 *   suffix and compacting a prefix are each one LTRIM.
 * - `<prefix>raft:hardstate`: HASH `term`, `vote`, `commit`.
 * - `<prefix>raft:snapshot`: HASH `index`, `term`, `confState` (JSON), `data`.
 */
export interface RaftLogKeys {
  log: string;
  hardState: string;
  snapshot: string;
}

/** The keys of the store under `prefix`; the prefix is used as given (end it with `:`). */
export function raftLogKeys(prefix: string): RaftLogKeys {
  return {
    log: `${prefix}raft:log`,
    hardState: `${prefix}raft:hardstate`,
    snapshot: `${prefix}raft:snapshot`,
  };
}

/** The default key prefix of a node: `nexaloak:<nodeId>:`. */
export function defaultKeyPrefix(nodeId: string): string {
  return `nexaloak:${nodeId}:`;
}
