/**
 * The proposals a node has taken from its callers and not yet handed to the
 * Raft core, and the group commit that decides when a leader hands them over.
 *
 * A leader keeps one batch of its own proposals in flight. While that batch
 * is replicating, new proposals wait here; when it commits, everything that
 * arrived meanwhile goes out as the next batch: one entry list, one Redis
 * write on every member, one append and one acknowledgement per follower.
 *
 * Why: on a small machine a write's cost is mostly per batch (wake-ups,
 * socket writes, an fsync on each member), and a pipelined leader cuts a
 * batch every time its own write returns, before the followers have
 * answered the previous one, so under load it sends about twice as many,
 * half as full. Holding the next batch costs a lone writer nothing (nothing
 * is in flight when it writes) and gave 8-21 % more throughput with 2, 8 and
 * 64 writers (README, Benchmarks, "one batch in flight").
 *
 * When the batch commits, the commit arrives as one event among others the
 * node's event loop has to handle: requests whose bytes already wait in their
 * sockets, or arrive while the committed batch is applied and answered.
 * Cutting the next batch at once would leave them all for the batch after.
 * So the leader first lets its event loop go round a few times
 * (node.ts, GATHER_TURNS): no timer, only the I/O that is there. Side by
 * side that gave 8-14 % more throughput at 64 writers, 3-6 % at 8 and 16,
 * and no change beyond the noise at one and two (README, Benchmarks,
 * "2026-12-08: cheaper frame ciphers, a gathered next batch").
 *
 * Safety does not depend on it: it only decides when the core sees a
 * proposal. A proposal whose caller has given up (timed out) is dropped
 * before it is handed over, which is one of the outcomes a timeout allows.
 */

/** A proposal waiting for the Ready loop, already wrapped in its envelope. */
export interface QueuedProposal {
  requestId: string;
  data: string;
}

/** What the queue needs to know of the core when the Ready loop runs. */
export interface LeaderView {
  isLeader: boolean;
  term: number;
  /** The core's commit index. */
  committed: number;
}

/** What the Ready loop does with the queued proposals ({@link ProposalQueue.nextStep}). */
export type ProposalStep = "wait" | "now" | "afterGathering";

/** An entry of the log, by index and term. */
export interface EntryId {
  index: number;
  term: number;
}

export class ProposalQueue {
  private queued: QueuedProposal[] = [];
  private queuedBytes = 0;
  /** The last entry of the newest batch handed over while leading; it holds nothing once committed or of a past term. */
  private inFlight: EntryId | undefined;

  constructor(
    /** The most bytes of proposals held at once (the core's uncommitted limit); 0: no limit. */
    private readonly maxQueuedBytes: number,
  ) {}

  /** Adds a proposal; false (and nothing added) when the queue is full. */
  add(proposal: QueuedProposal): boolean {
    const bytes = proposal.data.length;
    if (
      this.maxQueuedBytes > 0 &&
      this.queued.length > 0 &&
      this.queuedBytes + bytes > this.maxQueuedBytes
    )
      return false;
    this.queued.push(proposal);
    this.queuedBytes += bytes;
    return true;
  }

  /**
   * What the Ready loop does with the queue now:
   * - `wait`: nothing is queued, or the leader's previous batch has not committed;
   * - `now`: hand it to the core at once: on a node that does not lead (the
   *   core forwards or refuses), and on a leader with no batch of this term
   *   in flight (a lone writer waits for nothing);
   * - `afterGathering`: these proposals waited for the previous batch, which
   *   has committed: first let the requests that have reached the node
   *   meanwhile join them (the node lets its event loop go round a few times).
   *
   * A batch of an earlier term holds nothing: a leader never loses its own
   * entries within its term, so one still in flight in this term will commit
   * or the leadership ends. Asked with nothing queued, it forgets a batch
   * that has committed, so that a proposal arriving later goes `now`.
   */
  nextStep(view: LeaderView): ProposalStep {
    const batch = this.inFlight;
    const settled = !batch || batch.term !== view.term || batch.index <= view.committed;
    if (this.queued.length === 0) {
      // Nobody waited for that batch: a proposal arriving later owes it nothing.
      if (settled) this.inFlight = undefined;
      return "wait";
    }
    if (!view.isLeader || !batch || batch.term !== view.term) return "now";
    return settled ? "afterGathering" : "wait";
  }

  /** Takes everything queued; the caller hands it to the core. */
  take(): QueuedProposal[] {
    const taken = this.queued;
    this.queued = [];
    this.queuedBytes = 0;
    return taken;
  }

  /** The core appended a batch, as leader, ending at `last`. */
  handedOver(last: EntryId): void {
    this.inFlight = last;
  }

  /** Forgets everything (the node stops). */
  clear(): void {
    this.take();
    this.inFlight = undefined;
  }
}
