/**
 * The callback queries users' button presses created, so
 * `answerCallbackQuery` can refuse an unknown id or a second answer, as
 * Telegram does.
 */

interface PendingQuery {
  chatId: number;
  answered: boolean;
}

export class CallbackQueries {
  private readonly queries = new Map<string, PendingQuery>();
  private lastNumber = 0;

  /** A new query id for a press in `chatId`. */
  create(chatId: number): string {
    this.lastNumber += 1;
    // Telegram's ids are long decimal strings; a fixed prefix keeps ours that shape.
    const id = `4${this.lastNumber.toString().padStart(15, "0")}`;
    this.queries.set(id, { chatId, answered: false });
    return id;
  }

  /** Marks the query answered and returns its chat; null for an unknown or already answered id. */
  answer(id: string): number | null {
    const query = this.queries.get(id);
    if (query === undefined || query.answered) return null;
    query.answered = true;
    return query.chatId;
  }
}
