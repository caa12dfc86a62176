/**
 * Tracks the updates of one session from arrival to answer, so that the
 * next `getUpdates` never confirms an update to Telegram too early.
 *
 * Asking Telegram for updates from offset N confirms everything below N,
 * and Telegram forgets it. If a leader confirmed updates it had received
 * but not yet committed and answered, a failover at that moment would lose
 * them: the new leader could neither act on them nor answer them. So the
 * next poll waits until every update received so far has committed its
 * effect and been answered (an answer stuck behind Telegram's flood control
 * is waited for at most a grace period). Updates a leader received but did
 * not confirm come again to the next leader, which answers them from the
 * replicated state: apply recognises their update ids and acts only once.
 */
export class UpdateProgress {
  /** Received and not yet committed (or failed, or without an effect). */
  private readonly uncommitted = new Set<number>();
  /** Received and not yet fully handled (replies sent). */
  private readonly unanswered = new Set<number>();
  private waiters: Array<() => void> = [];

  /** Registers a batch as it arrives from Telegram. */
  receive(updateIds: readonly number[]): void {
    for (const id of updateIds) {
      this.uncommitted.add(id);
      this.unanswered.add(id);
    }
  }

  /** The update's effect committed, failed, or there is none: nothing more will be proposed for it. */
  committed(updateId: number): void {
    if (this.uncommitted.delete(updateId)) this.wake();
  }

  /** The update is fully handled: its answer went out (or never will). */
  answered(updateId: number): void {
    this.uncommitted.delete(updateId);
    if (this.unanswered.delete(updateId)) this.wake();
  }

  /**
   * Resolves when every update received so far has committed, and has been
   * answered or `answerGraceMs` has passed since they all committed.
   */
  async settled(answerGraceMs: number): Promise<void> {
    await this.until(() => this.uncommitted.size === 0);
    if (this.unanswered.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, answerGraceMs);
    });
    try {
      await Promise.race([this.until(() => this.unanswered.size === 0), grace]);
    } finally {
      clearTimeout(timer);
    }
  }

  private until(condition: () => boolean): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (!condition()) {
          this.waiters.push(check);
          return;
        }
        resolve();
      };
      this.waiters.push(check);
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const check of waiters) check();
  }
}
