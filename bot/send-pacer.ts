/**
 * Paces the session's messages under Telegram's flood limits, so 429s are
 * rare rather than retried: about 30 messages a second overall and one a
 * second per chat, short bursts allowed (a config, its QR code and the
 * instructions go out at once). Each message reserves the earliest slot
 * both limits allow and waits for it; waits end with the session.
 *
 * grammY's transformer-throttler paces private chats at one message a
 * second with no burst (a config's three messages would take two seconds),
 * and its queue does not end with the session's AbortSignal.
 */
import type { Transformer } from "grammy";
import { sleep } from "../shared/sleep.ts";
import { type BucketLimit, KeyedTokenBuckets, TokenBucket } from "../shared/token-bucket.ts";

export interface PacingLimits {
  global: BucketLimit;
  perChat: BucketLimit;
}

/**
 * A little inside Telegram's limits: bursts smaller than Telegram lets
 * through, so a message that reaches it late (behind others on the wire)
 * still fits. The overall burst is small on purpose: every message in
 * flight when a leader dies may be sent again by the next one (its count
 * through Raft had no time to commit), so few in flight means few repeats.
 */
export const REPLY_PACING: PacingLimits = {
  global: { perSecond: 30, burst: 1 },
  perChat: { perSecond: 1, burst: 3 },
};

/** Methods that post a message into a chat: what the flood limits count. */
export function postsMessage(method: string): boolean {
  return method.startsWith("send") && method !== "sendChatAction";
}

/** When each message may go out. Pure: the caller passes the time. */
export class SendPacer {
  private readonly global: TokenBucket;
  private readonly chats: KeyedTokenBuckets<string>;
  private readonly perChat: BucketLimit;

  constructor(limits: PacingLimits = REPLY_PACING) {
    this.global = new TokenBucket(limits.global);
    this.chats = new KeyedTokenBuckets(limits.perChat);
    this.perChat = limits.perChat;
  }

  /**
   * A former leader may have sent to `chatId` up to `atMs` (it answered an
   * update that comes again), and what it sent is not known: a config's
   * messages whose count had not committed, say. The chat's next messages
   * are paced as if its burst had been spent at `atMs` but for one message:
   * the first goes out at once, the next ones a second apart until the burst
   * has refilled. With Telegram's burst one larger than ours, both leaders'
   * sends together stay within its limit.
   */
  formerLeaderMaySendUntil(chatId: string, atMs: number): void {
    const { perSecond, burst } = this.perChat;
    this.chats.get(chatId, atMs).spentUntil(atMs + ((burst - 1) * 1000) / perSecond);
  }

  /** Reserves the next slot for a message to `chatId`; returns when it may be sent (not before `nowMs`). */
  reserve(chatId: string, nowMs: number): number {
    const chat = this.chats.get(chatId, nowMs);
    const atMs = Math.max(this.global.earliest(nowMs), chat.earliest(nowMs));
    this.global.take(atMs);
    chat.take(atMs);
    return atMs;
  }
}

export interface PacedSendsOptions {
  /** Milliseconds on a clock that never goes back, the pacer's; performance.now() by default. */
  clock?: () => number;
  /** Told each message's slot before the message waits for it. */
  onSlot?: (atMs: number) => void;
}

/** A transformer that holds each message until its slot; waiting ends when `session` aborts. */
export function pacedSends(
  pacer: SendPacer,
  session: AbortSignal,
  { clock = () => performance.now(), onSlot }: PacedSendsOptions = {},
): Transformer {
  return async (prev, method, payload, signal) => {
    const chatId = (payload as { chat_id?: unknown } | undefined)?.chat_id;
    if (postsMessage(method) && (typeof chatId === "number" || typeof chatId === "string")) {
      const nowMs = clock();
      const atMs = pacer.reserve(String(chatId), nowMs);
      onSlot?.(atMs);
      await sleep(atMs - nowMs, session);
    }
    return prev(method, payload, signal);
  };
}
