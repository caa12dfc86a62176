/**
 * How long this node may keep polling without fresh proof that it still
 * leads. Leadership as the Raft core sees it can outlive a partition: a
 * leader cut off from its peers steps down only when check-quorum notices,
 * up to two election timeouts later, and a new leader may be polling by
 * then. Two pollers would fight with 409s, and the isolated one would
 * confirm to Telegram updates it can never commit, losing them.
 *
 * So the session renews a lease with ReadIndex reads (each one a heartbeat
 * round acknowledged by a majority). A read that started at `s` proves that
 * a majority heard this leader at or after `s`; none of them votes for
 * another candidate before an election timeout has passed since. A lease of
 * `s + leaseMs` with `leaseMs` below the election timeout therefore ends
 * before any other node can lead, and the session stops polling then.
 *
 * Followers that see the leader's sockets close campaign at once instead of
 * waiting out the election timeout, so a new leader may win while the
 * former one's lease still runs. Every vote that elected it came after the
 * former leader's last confirmed read began, though: a new leader that
 * waits `leaseMs` (plus margin) after winning before it polls never meets
 * a former leader's poll.
 */
import { sleep } from "../shared/sleep.ts";

export interface LeaseOptions {
  /** A linearizable read: resolves once a majority confirmed this node's leadership. */
  confirmLeadership: () => Promise<unknown>;
  /** How long a confirmation is good for, in ms; below the election timeout. */
  leaseMs: number;
  /** Called each time the lease runs out without renewal (once per lapse). */
  onExpired: () => void;
  /** The session's signal: the lease ends with it. */
  signal: AbortSignal;
  clock?: () => number;
}

export class LeadershipLease {
  private validUntil = Number.NEGATIVE_INFINITY;
  private expiryTimer: NodeJS.Timeout | undefined;
  /** Aborted when the current lease runs out; replaced when a confirmation starts a new one. */
  private period = new AbortController();
  private readonly clock: () => number;
  /** Calls waiting for the lease to hold again (see whenValid). */
  private waiters: (() => void)[] = [];

  constructor(private readonly options: LeaseOptions) {
    this.clock = options.clock ?? (() => performance.now());
    this.period.abort();
    options.signal.addEventListener(
      "abort",
      () => {
        clearTimeout(this.expiryTimer);
        this.wakeWaiters();
      },
      { once: true },
    );
  }

  /**
   * Aborts when the lease that holds now runs out (already aborted when none
   * holds): a long poll started under the lease ends with it.
   */
  get periodSignal(): AbortSignal {
    return this.period.signal;
  }

  /** Whether leadership was confirmed recently enough to call Telegram. */
  isValid(): boolean {
    return !this.options.signal.aborted && this.clock() < this.validUntil;
  }

  /**
   * Resolves at once while the lease holds, else once a renewal makes it hold
   * again; rejects with `signal`'s reason if the session ends first.
   */
  async whenValid(): Promise<void> {
    while (!this.isValid()) {
      if (this.options.signal.aborted) throw this.options.signal.reason;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  private wakeWaiters(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Confirms leadership once; resolves true when the lease was extended. */
  async renew(): Promise<boolean> {
    const startedAt = this.clock();
    try {
      await this.options.confirmLeadership();
    } catch {
      return false;
    }
    if (this.options.signal.aborted) return false;
    const until = startedAt + this.options.leaseMs;
    if (until <= this.validUntil) return true;
    this.validUntil = until;
    if (this.period.signal.aborted && this.isValid()) this.period = new AbortController();
    this.armExpiry();
    this.wakeWaiters();
    return true;
  }

  /** Fires `onExpired` once the lease has run out; timers may fire early, so it re-checks. */
  private armExpiry(): void {
    clearTimeout(this.expiryTimer);
    if (this.options.signal.aborted) return;
    const remainingMs = this.validUntil - this.clock();
    if (remainingMs <= 0) {
      if (this.period.signal.aborted) return;
      this.period.abort();
      this.options.onExpired();
      return;
    }
    this.expiryTimer = setTimeout(() => this.armExpiry(), Math.ceil(remainingMs));
  }

  /** Renews the lease every third of its length until the session ends. */
  async keepRenewing(): Promise<void> {
    const intervalMs = Math.max(1, Math.floor(this.options.leaseMs / 3));
    while (!this.options.signal.aborted) {
      const startedAt = this.clock();
      await this.renew();
      const waitMs = Math.max(0, intervalMs - (this.clock() - startedAt));
      await sleep(waitMs, this.options.signal);
    }
  }
}
