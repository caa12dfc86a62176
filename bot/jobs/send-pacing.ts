/**
 * When the next message may go out under Telegram's limits: about 30
 * messages a second overall and one a second per chat. A pure schedule:
 * the delivery loop asks for a slot and waits until it.
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

  constructor(limits: SendLimits = TELEGRAM_SEND_LIMITS) {
    this.globalGapMs = 1000 / limits.globalPerSecond;
    this.chatGapMs = 1000 / limits.perChatPerSecond;
  }

  /**
   * Reserves `messages` consecutive messages to `chatId` and returns when the
   * first may be sent (never before `nowMs`). The chat's next reservation
   * starts after all of them; the overall rate counts every one.
   */
  reserve(chatId: string, messages: number, nowMs: number): number {
    const startMs = Math.max(nowMs, this.nextGlobalMs, this.nextChatMs.get(chatId) ?? nowMs);
    this.nextGlobalMs = startMs + messages * this.globalGapMs;
    this.nextChatMs.set(chatId, startMs + messages * this.chatGapMs);
    this.forgetIdleChats(nowMs);
    return startMs;
  }

  /** When `chatId` could next be served, without reserving. */
  nextFor(chatId: string, nowMs: number): number {
    return Math.max(nowMs, this.nextGlobalMs, this.nextChatMs.get(chatId) ?? nowMs);
  }

  private forgetIdleChats(nowMs: number): void {
    if (this.nextChatMs.size < 10_000) return;
    for (const [chatId, nextMs] of this.nextChatMs)
      if (nextMs + FORGET_AFTER_MS < nowMs) this.nextChatMs.delete(chatId);
  }
}
