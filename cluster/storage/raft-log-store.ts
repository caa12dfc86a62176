import { performance } from "node:perf_hooks";
import type { Redis } from "ioredis";
import type { Snapshot } from "../raft/types.ts";
import { type RaftLogKeys, raftLogKeys } from "./keys.ts";
import { type RaftLogScripts, registerRaftLogScripts } from "./lua-scripts.ts";
import { decodePersistedState, type PersistedRaftState } from "./persisted-state.ts";
import { type SaveBatch, validateSaveBatch, validateSnapshot } from "./save-batch.ts";
import { StorageError, toStorageError } from "./storage-error.ts";

export type { PersistedRaftState } from "./persisted-state.ts";
export type { SaveBatch } from "./save-batch.ts";

export interface RaftLogStoreOptions {
  /** Called after each durable write (save or compact) with its round-trip time, for metrics. */
  onWriteLatencyMs?: (ms: number) => void;
}

/**
 * The durable copy of one node's Raft log, hard state and latest snapshot,
 * kept in Redis under the node's key prefix. The Raft core works on an
 * in-memory copy; the node loads it from here at start and hands every
 * Ready's hard state, entries and snapshot to {@link RaftLogStore.save}
 * before sending the messages that depend on them.
 *
 * Each write is one Lua script call: atomic, so a crash of Redis at any
 * instant leaves a log that agrees with its metadata, and durable once it
 * resolves if Redis runs with `appendonly yes` and `appendfsync always`
 * (see durability.ts). Writes check the Raft log's invariants and refuse,
 * changing nothing, a batch that would break them. Writes are idempotent:
 * one that failed with `STORAGE_UNAVAILABLE` may be sent again as is.
 *
 * Errors are {@link StorageError}s. Calls must not overlap: the node
 * awaits each write before the next, as the Ready protocol requires anyway.
 */
export class RaftLogStore {
  private readonly keys: RaftLogKeys;
  private readonly scripts: RaftLogScripts;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly options: RaftLogStoreOptions = {},
  ) {
    this.keys = raftLogKeys(prefix);
    this.scripts = registerRaftLogScripts(redis);
  }

  /** Reads everything persisted, in one transaction; an empty store gives term 0, no vote, no entries. */
  async load(): Promise<PersistedRaftState> {
    const action = "load the Raft log";
    let replies: [error: Error | null, result: unknown][] | null;
    try {
      replies = await this.redis
        .multi()
        .hmget(this.keys.hardState, "term", "vote", "commit")
        .hmget(this.keys.snapshot, "index", "term", "confState", "data")
        .lrange(this.keys.log, 0, -1)
        .exec();
    } catch (error) {
      throw toStorageError(error, action);
    }
    if (!replies)
      throw new StorageError("STORAGE_UNAVAILABLE", `${action}: the transaction was aborted`);
    for (const [error] of replies) {
      if (error) throw toStorageError(error, action);
    }
    const decoded = decodePersistedState({
      hardStateFields: replies[0]?.[1],
      snapshotFields: replies[1]?.[1],
      encodedEntries: replies[2]?.[1],
    });
    if (!decoded.ok) {
      throw new StorageError(
        decoded.error.code,
        `${action} under ${this.keys.log}: ${decoded.error.message}`,
      );
    }
    return decoded.value;
  }

  /**
   * Persists one Ready in one atomic step: installs `snapshot` (keeping the
   * entries after it when the log holds its last entry, else dropping the
   * log), then replaces every entry from `entries[0].index` on with
   * `entries`, then stores `hardState`. Resolves once durable.
   */
  async save(batch: SaveBatch): Promise<void> {
    const action = "save to the Raft log";
    if (!batch.hardState && !batch.snapshot && !batch.entries?.length) return;
    const validation = validateSaveBatch(batch);
    if (!validation.ok)
      throw new StorageError(validation.error.code, `${action}: ${validation.error.message}`);
    await this.timedWrite(action, () => this.scripts.save(this.keys, batch));
  }

  /**
   * Stores a snapshot the application took at an applied index and deletes
   * the entries up to that index. A snapshot no newer than the stored one is
   * ignored.
   */
  async compact(snapshot: Snapshot): Promise<void> {
    const action = "compact the Raft log";
    const validation = validateSnapshot(snapshot);
    if (!validation.ok)
      throw new StorageError(validation.error.code, `${action}: ${validation.error.message}`);
    await this.timedWrite(action, () => this.scripts.compact(this.keys, snapshot));
  }

  private async timedWrite(action: string, write: () => Promise<unknown>): Promise<void> {
    const startedAt = performance.now();
    try {
      await write();
    } catch (error) {
      throw toStorageError(error, action);
    }
    this.options.onWriteLatencyMs?.(performance.now() - startedAt);
  }
}
