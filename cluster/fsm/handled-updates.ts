/**
 * Telegram update ids already acted on, with the result each one produced.
 * The bot proposes every effect with its update id; after a failover the new
 * leader may receive the same update again, and apply answers it from here
 * instead of acting twice.
 *
 * The bot handles updates of different chats concurrently, so ids commit out
 * of order: the dedupe is by id, not by "below the offset". The most recent
 * `RESULTS_KEPT` ids are remembered; an older id that is no longer remembered
 * is refused rather than risk a second effect.
 *
 * Of the remembered ids, each keeps how many messages of its reply the bot
 * sent (recorded in batches, just after they went out), so a new leader
 * that receives one of them again sends only the rest.
 */

/** How many handled updates keep their results. */
export const RESULTS_KEPT = 10_000;

/**
 * Whether an update id is new, handled (with the command it made and that
 * command's result), or too old to know. `commandType` is undefined for
 * results recorded before the type was kept.
 */
export type UpdateLookup =
  | { kind: "new" }
  | { kind: "handled"; commandType: string | undefined; resultJson: string }
  | { kind: "forgotten" };

/**
 * Each result is kept as `<command type>\n<result JSON>`: one string per
 * update, as in snapshots from before the type was kept (those are plain
 * JSON, which never starts with letters and a line break).
 */
const TYPED_RESULT = /^([A-Za-z]+)\n/;

/** The handled update ids with their results, bounded to the most recent ones. */
export class HandledUpdates {
  /** Update id -> JSON of the result it produced, oldest first. */
  readonly results = new Map<number, string>();
  /** The highest update id handled: the bot resumes polling after it. */
  offset = 0;
  /** The highest update id whose result was dropped to bound memory. */
  forgottenThrough = -1;
  /** Remembered update ids -> messages of their replies sent; a subset of `results`' keys. */
  readonly answered = new Map<number, number>();

  lookup(updateId: number): UpdateLookup {
    const stored = this.results.get(updateId);
    if (stored !== undefined) {
      const typed = TYPED_RESULT.exec(stored);
      return typed
        ? { kind: "handled", commandType: typed[1], resultJson: stored.slice(typed[0].length) }
        : { kind: "handled", commandType: undefined, resultJson: stored };
    }
    if (updateId <= this.forgottenThrough) return { kind: "forgotten" };
    return { kind: "new" };
  }

  record(updateId: number, commandType: string, resultJson: string): void {
    this.results.set(updateId, `${commandType}\n${resultJson}`);
    if (updateId > this.offset) this.offset = updateId;
    while (this.results.size > RESULTS_KEPT) {
      const oldest = this.results.keys().next().value!;
      this.results.delete(oldest);
      this.answered.delete(oldest);
      if (oldest > this.forgottenThrough) this.forgottenThrough = oldest;
    }
  }

  /** Records reply messages sent, as [update id, count]; returns how many updates' counts grew. */
  markAnswered(updates: readonly (readonly [number, number])[]): number {
    let marked = 0;
    for (const [updateId, messages] of updates) {
      if (!this.results.has(updateId) || (this.answered.get(updateId) ?? 0) >= messages) continue;
      this.answered.set(updateId, messages);
      marked++;
    }
    return marked;
  }

  /** How many messages of the reply to this update were sent; 0 when none are recorded. */
  repliesSent(updateId: number): number {
    return this.answered.get(updateId) ?? 0;
  }
}
