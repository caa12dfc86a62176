/**
 * How far each update's reply got, so a new leader sends only the rest.
 *
 * A reply can be several messages (a config: the document, its QR code,
 * the instructions), each paced under Telegram's flood limits. Every
 * message sent for an update that has a committed record is counted
 * through Raft at once (batched by the service). A new leader that
 * receives the update again (its predecessor died before Telegram confirmed
 * it) handles it as before, from its first result, but the first messages
 * already counted are not sent again: each stands in with a placeholder
 * result. Handlers send the same messages in the same order for the same
 * result, and none reads a sent message back.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { Transformer } from "grammy";
import { postsMessage } from "./send-pacer.ts";

/** One update's reply as it goes out. */
export interface ReplyProgress {
  updateId: number;
  /** Messages a former leader sent already: this many are not sent again. */
  alreadySent: number;
  /** Messages of the reply so far, skipped or sent. */
  counted: number;
  /** Whether the update has a record its messages can be counted against (it made its proposal). */
  recordable: () => boolean;
}

export class ReplyTracking {
  private readonly current = new AsyncLocalStorage<ReplyProgress>();

  constructor(
    /** Records that the first `messages` messages of `updateId`'s reply were sent. */
    private readonly recordSent: (updateId: number, messages: number) => void,
  ) {}

  /** Runs `handle` (the update's handler) with its calls counted against `progress`. */
  run<Result>(progress: ReplyProgress, handle: () => Promise<Result>): Promise<Result> {
    return this.current.run(progress, handle);
  }

  /** The update whose handler made the current call, if one did. */
  currentUpdateId(): number | undefined {
    return this.current.getStore()?.updateId;
  }

  /** The transformer that skips messages sent before and counts the ones sent now. */
  transformer(): Transformer {
    return async (prev, method, payload, signal) => {
      const progress = this.current.getStore();
      if (progress === undefined || !postsMessage(method)) return prev(method, payload, signal);
      if (progress.counted < progress.alreadySent) {
        progress.counted++;
        return { ok: true, result: placeholderMessage(payload) } as never;
      }
      const answer = await prev(method, payload, signal);
      if (answer.ok) {
        progress.counted++;
        if (progress.recordable()) this.recordSent(progress.updateId, progress.counted);
      }
      return answer;
    };
  }
}

/** What a skipped send returns: a message in the right chat, never read by the handlers. */
function placeholderMessage(payload: unknown) {
  const chatId = (payload as { chat_id?: number | string } | undefined)?.chat_id ?? 0;
  return {
    message_id: 0,
    date: Math.floor(Date.now() / 1000),
    chat: { id: Number(chatId), type: "private" },
  };
}
