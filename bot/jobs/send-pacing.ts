/**
 * When the next message may go out under Telegram's limits: about 30
 * messages a second overall and one a second per chat. Pure: the caller
 * passes the time. Two ledgers: the schedule (`reserve`) sets how long a
 * queued delivery waits before it starts; the send ledger (`startSend`)
 * holds a delivery that starts early against when its chat's previous one
 * really went out, since a queued job starts late by however long the
 * queue takes to pick it up, and the one before it may have started later
 * than that.
 */

export interface SendLimits {
  /** Messages per second across all chats. */
  globalPerSecond: number;
  /** Messages per second to one chat. */
  perChatPerSecond: number;
}

/** Telegram's documented limits for bots. */
export const TELEGRAM_SEND_LIMITS: SendLimits = { globalPerSecond: 30, perChatPerSecond: 1 };

/** How long a chat's reservations are remembered after its last slot. */
const FORGET_AFTER_MS = 60_000;

export class SendPacing {
  private readonly globalGapMs: number;
  private readonly chatGapMs: number;
  /** When the next message may go out overall. */
  private nextGlobalMs = Number.NEGATIVE_INFINITY;
  /** Per chat: when its next message may go out. */
  private readonly nextChatMs = new Map<string, number>();
  /** Per chat: when its next message may go out, counted from when the last one was sent. */
  private readonly nextSendMs = new Map<string, number>();

  constructor(limits: SendLimits = TELEGRAM_SEND_LIMITS) {
    this.globalGapMs = 1000 / limits.globalPerSecond;
    this.chatGapMs = 1000 / limits.perChatPerSecond;
  }

  /**
   * Reserves `messages` consecutive messages to `chatId` and returns when the
   * first may be sent (never before `nowMs`). The chat's next reservation
   * starts after all of them; the overall rate counts every one, in its turn
   * among the chats rather than when its own chat is free: counted then, a
   * chat's second notice seconds ahead (a user with two configs on a banned
   * server) would hold every other chat's notices behind it.
   */
  reserve(chatId: string, messages: number, nowMs: number): number {
    const turnMs = Math.max(nowMs, this.nextGlobalMs);
    const startMs = Math.max(turnMs, this.nextChatMs.get(chatId) ?? nowMs);
    this.nextGlobalMs = turnMs + messages * this.globalGapMs;
    this.nextChatMs.set(chatId, startMs + messages * this.chatGapMs);
    this.forgetIdleChats(this.nextChatMs, nowMs);
    return startMs;
  }

  /**
   * A delivery of `messages` to `chatId` is about to be sent: returns when
   * it may start (never before `nowMs`), one chat gap per message after the
   * chat's last delivery started, and records it.
   */
  startSend(chatId: string, messages: number, nowMs: number): number {
    const startMs = Math.max(nowMs, this.nextSendMs.get(chatId) ?? nowMs);
    this.nextSendMs.set(chatId, startMs + messages * this.chatGapMs);
    this.forgetIdleChats(this.nextSendMs, nowMs);
    return startMs;
  }

  /** When `chatId` could next be served, without reserving. */
  nextFor(chatId: string, nowMs: number): number {
    return Math.max(nowMs, this.nextGlobalMs, this.nextChatMs.get(chatId) ?? nowMs);
  }

  private forgetIdleChats(nextByChat: Map<string, number>, nowMs: number): void {
    if (nextByChat.size < 10_000) return;
    for (const [chatId, nextMs] of nextByChat)
      if (nextMs + FORGET_AFTER_MS < nowMs) nextByChat.delete(chatId);
  }
}
