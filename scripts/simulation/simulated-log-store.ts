/**
 * A node's log store as Redis with `appendfsync always` behaves to the node:
 * a write is durable once it is acknowledged, writes complete in order and
 * may be slow, and while Redis is down every call fails with
 * `STORAGE_UNAVAILABLE`. A crash of the node loses the writes it had not yet
 * seen acknowledged, except that Redis may have carried out some of them
 * already (in order) before the reply was lost.
 */
import type { LogStore } from "../../cluster/node.ts";
import type { Snapshot } from "../../cluster/raft/types.ts";
import type { PersistedRaftState } from "../../cluster/storage/persisted-state.ts";
import type { SaveBatch } from "../../cluster/storage/save-batch.ts";
import { StorageError } from "../../cluster/storage/storage-error.ts";
import { applyWrite, type LogWrite, lastIndexOf, termAt } from "./durable-log.ts";

interface PendingWrite {
  write: LogWrite;
  completesAtTick: number;
  resolve: () => void;
}

const EMPTY: PersistedRaftState = {
  hardState: { term: 0, vote: "", commit: 0 },
  snapshot: null,
  entries: [],
};

export class SimulatedLogStore {
  private state: PersistedRaftState = EMPTY;
  private pending: PendingWrite[] = [];
  private session: object = {};
  /** While true, Redis is down: every call fails. */
  down = false;
  writesLostInCrashes = 0;

  constructor(
    /** How many ticks the next write takes (0: acknowledged at once). */
    private readonly writeDelayTicks: () => number,
    private readonly currentTick: () => number,
  ) {}

  /** What Redis holds now. */
  get durable(): PersistedRaftState {
    return this.state;
  }

  durableLastIndex(): number {
    return lastIndexOf(this.state);
  }

  durableTermAt(index: number): number | null {
    return termAt(this.state, index);
  }

  /** A connection for one node incarnation; calls on an older one never answer. */
  connect(): LogStore {
    const session = {};
    this.session = session;
    const call = <T>(run: () => Promise<T>): Promise<T> =>
      this.session === session ? run() : new Promise<T>(() => {});
    return {
      load: () => call(async () => this.load()),
      save: (batch: SaveBatch) => call(() => this.write({ kind: "save", batch })),
      compact: (snapshot: Snapshot) => call(() => this.write({ kind: "compact", snapshot })),
    };
  }

  /**
   * The node crashed: of its writes in flight, the first `carriedOut` reached
   * Redis anyway; the others are lost, and none is ever acknowledged.
   */
  crash(carriedOut: number): void {
    this.session = {};
    const pending = this.pending;
    this.pending = [];
    pending.forEach((write, position) => {
      if (position < carriedOut) this.state = applyWrite(this.state, write.write);
      else this.writesLostInCrashes++;
    });
  }

  get writesInFlight(): number {
    return this.pending.length;
  }

  /** Acknowledges, in order, the writes due by now. */
  completeDue(): boolean {
    let completed = false;
    while (this.pending[0] && this.pending[0].completesAtTick <= this.currentTick()) {
      const done = this.pending.shift()!;
      this.state = applyWrite(this.state, done.write);
      done.resolve();
      completed = true;
    }
    return completed;
  }

  private load(): PersistedRaftState {
    if (this.down) throw unavailable("load the Raft log");
    return structuredClone(this.state);
  }

  private write(write: LogWrite): Promise<void> {
    if (this.down) return Promise.reject(unavailable("write the Raft log"));
    const delay = this.writeDelayTicks();
    if (delay === 0 && this.pending.length === 0) {
      this.state = applyWrite(this.state, structuredClone(write));
      return Promise.resolve();
    }
    const after = this.pending.at(-1)?.completesAtTick ?? 0;
    return new Promise((resolve) => {
      this.pending.push({
        write: structuredClone(write),
        completesAtTick: Math.max(after, this.currentTick() + delay),
        resolve,
      });
    });
  }
}

function unavailable(action: string): StorageError {
  return new StorageError("STORAGE_UNAVAILABLE", `${action}: Redis is down`);
}
