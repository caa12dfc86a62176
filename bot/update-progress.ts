/**
 * Tracks the updates of one session from arrival to answer, so that a
 * `getUpdates` never confirms an update to Telegram too early.
 *
 * Asking Telegram for updates from offset N confirms everything below N,
 * and Telegram forgets it. If a leader confirmed updates it had received
 * but not yet committed and answered, a failover at that moment would lose
 * them: the new leader could neither act on them nor answer them. So each
 * poll asks from the oldest update not yet settled: committed and answered.
 * An answer stuck behind Telegram's flood control is waited for at most a
 * grace period once its effect committed, so one flooded chat cannot stall
 * every other; time an answer waits behind other chats' messages in this
 * session's own pacing is not counted, since it is sure to go out (its own
 * chat's backlog is: a user who floods the bot must not hold the offset).
 * Polling does not wait for a
 * batch to finish: Telegram sends the unsettled updates again with the new
 * ones, and only the new ones are handled. Updates a leader received but did
 * not confirm come again to the next leader, which answers them from the
 * replicated state: apply recognises their update ids and acts only once.
 */

interface ConfirmationWaiter {
  updateId: number;
  resolve: (confirmed: boolean) => void;
}

interface Tracked {
  /** When its effect committed (performance.now()), or undefined while it has not. */
  committedAtMs: number | undefined;
  /** The latest overall slot of this session's pacing one of its answer's messages waits for. */
  pacedUntilMs: number;
  answered: boolean;
}

export class UpdateProgress {
  /** Received and not yet confirmed, by update id, in arrival (= id) order. */
  private readonly pending = new Map<number, Tracked>();
  /** The highest update id received so far. */
  private lastReceived: number | undefined;
  private waiters: Array<() => void> = [];
  /** Every update below this id is confirmed: a poll asking from it has been answered. */
  private confirmedBelow = 0;
  private confirmationWaiters: ConfirmationWaiter[] = [];

  constructor(
    /** How long a committed update's answer may hold back the offset. */
    private readonly answerGraceMs: number,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /**
   * Registers a batch as it arrives from Telegram and returns the updates
   * new to this session, in order (the others are still being handled).
   */
  receive(updateIds: readonly number[]): number[] {
    const fresh: number[] = [];
    for (const id of updateIds) {
      if (this.lastReceived !== undefined && id <= this.lastReceived) continue;
      this.lastReceived = id;
      this.pending.set(id, { committedAtMs: undefined, pacedUntilMs: 0, answered: false });
      fresh.push(id);
    }
    return fresh;
  }

  /** The update's effect committed, failed, or there is none: nothing more will be proposed for it. */
  committed(updateId: number): void {
    const tracked = this.pending.get(updateId);
    if (!tracked || tracked.committedAtMs !== undefined) return;
    tracked.committedAtMs = this.clock();
    this.wake();
  }

  /** A message of the update's answer waits behind other chats' messages until `atMs`: the grace starts after it. */
  pacedUntil(updateId: number, atMs: number): void {
    const tracked = this.pending.get(updateId);
    if (tracked) tracked.pacedUntilMs = Math.max(tracked.pacedUntilMs, atMs);
  }

  /** The update is fully handled: its answer went out (or never will). */
  answered(updateId: number): void {
    const tracked = this.pending.get(updateId);
    if (!tracked) return;
    tracked.committedAtMs ??= this.clock();
    tracked.answered = true;
    this.wake();
  }

  /**
   * Where the next poll asks from: the oldest update not settled yet
   * (`unsettled`), or the one after the last received when all are. No
   * offset before anything was received (Telegram then answers from its own
   * position).
   */
  pollPosition(): { offset: number | undefined; unsettled: boolean } {
    const nowMs = this.clock();
    for (const [id, tracked] of this.pending) {
      if (!this.isSettled(tracked, nowMs)) return { offset: id, unsettled: true };
      this.pending.delete(id);
    }
    const offset = this.lastReceived === undefined ? undefined : this.lastReceived + 1;
    return { offset, unsettled: false };
  }

  /** Resolves at the next commit or answer, or after `maxWaitMs`, whichever comes first. */
  async nextChange(maxWaitMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.waiters.push(resolve);
      timer = setTimeout(resolve, maxWaitMs);
    });
    clearTimeout(timer);
  }

  /**
   * A `getUpdates` asking from `offset` was answered: Telegram has confirmed
   * (and forgotten) every update below it, so no later leader receives them.
   */
  polled(offset: number): void {
    if (offset <= this.confirmedBelow) return;
    this.confirmedBelow = offset;
    const stillWaiting: ConfirmationWaiter[] = [];
    for (const waiter of this.confirmationWaiters) {
      if (waiter.updateId < offset) waiter.resolve(true);
      else stillWaiting.push(waiter);
    }
    this.confirmationWaiters = stillWaiting;
  }

  /** Whether an effect waits for an update to be confirmed: the next poll should not linger. */
  confirmationWanted(): boolean {
    return this.confirmationWaiters.length > 0;
  }

  /**
   * Resolves true once `updateId` is confirmed to Telegram, or false when
   * `maxWaitMs` passed or `signal` aborted first.
   */
  untilConfirmed(updateId: number, maxWaitMs: number, signal: AbortSignal): Promise<boolean> {
    if (updateId < this.confirmedBelow) return Promise.resolve(true);
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const waiter: ConfirmationWaiter = {
        updateId,
        resolve: (confirmed) => {
          clearTimeout(timer);
          signal.removeEventListener("abort", giveUp);
          this.confirmationWaiters = this.confirmationWaiters.filter((other) => other !== waiter);
          resolve(confirmed);
        },
      };
      const giveUp = () => waiter.resolve(false);
      const timer = setTimeout(giveUp, maxWaitMs);
      signal.addEventListener("abort", giveUp, { once: true });
      this.confirmationWaiters.push(waiter);
    });
  }

  private isSettled(tracked: Tracked, nowMs: number): boolean {
    if (tracked.committedAtMs === undefined) return false;
    if (tracked.answered) return true;
    return nowMs - Math.max(tracked.committedAtMs, tracked.pacedUntilMs) >= this.answerGraceMs;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}
