import type { NodeId } from "./types.ts";

/** A ReadIndex request waiting for a quorum to confirm the leader is still the leader. */
export interface PendingRead {
  from: NodeId;
  context: string;
  /** The commit index when the request arrived: the read is served once this is applied. */
  index: number;
  acks: Set<NodeId>;
}

/**
 * Pending ReadIndex requests in arrival order. A heartbeat round carries the
 * newest request's context; a quorum of acks for it confirms every earlier
 * request too.
 */
export class ReadOnlyQueue {
  private readonly pending = new Map<string, PendingRead>();
  private queue: string[] = [];

  add(index: number, from: NodeId, context: string): void {
    if (this.pending.has(context)) return;
    this.pending.set(context, { from, context, index, acks: new Set() });
    this.queue.push(context);
  }

  /** Records an ack; returns how many members have acked that request. */
  recordAck(from: NodeId, context: string): number {
    const read = this.pending.get(context);
    if (!read) return 0;
    read.acks.add(from);
    return read.acks.size;
  }

  acksOf(context: string): ReadonlySet<NodeId> | undefined {
    return this.pending.get(context)?.acks;
  }

  /** Releases the request with `context` and every one queued before it. */
  releaseThrough(context: string): PendingRead[] {
    const position = this.queue.indexOf(context);
    if (position < 0) return [];
    const released = this.queue.slice(0, position + 1).map((ctx) => this.pending.get(ctx)!);
    for (const read of released) this.pending.delete(read.context);
    this.queue = this.queue.slice(position + 1);
    return released;
  }

  lastContext(): string | undefined {
    return this.queue[this.queue.length - 1];
  }

  clear(): void {
    this.pending.clear();
    this.queue = [];
  }
}
