/**
 * Paces the session's messages under Telegram's flood limits, so 429s are
 * rare rather than retried: about 30 messages a second overall and one a
 * second per chat, short bursts allowed (a config, its QR code and the
 * instructions go out at once). Each message first waits for its chat's
 * next slot, then for the next overall slot; waits end with the session.
 * The overall slot is taken only once the chat's has come: taken at once,
 * a slot seconds ahead for a chat with a backlog (a user who sends faster
 * than one message a second gets answers) would hold every other chat's
 * messages behind it.
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

  /** Reserves `chatId`'s next slot: when its next message may go out as far as its chat goes (not before `nowMs`). */
  reserveChat(chatId: string, nowMs: number): number {
    const chat = this.chats.get(chatId, nowMs);
    const atMs = chat.earliest(nowMs);
    chat.take(atMs);
    return atMs;
  }

  /** Reserves the next overall slot, for a message whose chat slot has come (not before `nowMs`). */
  reserveOverall(nowMs: number): number {
    const atMs = this.global.earliest(nowMs);
    this.global.take(atMs);
    return atMs;
  }
}

export interface PacedSendsOptions {
  /** Milliseconds on a clock that never goes back, the pacer's; performance.now() by default. */
  clock?: () => number;
  /**
   * Told each message's overall slot before the message waits for it. (Not
   * its chat slot: a chat's backlog is of its own making.)
   */
  onOverallSlot?: (atMs: number) => void;
}

/** A transformer that holds each message until its slot; waiting ends when `session` aborts. */
export function pacedSends(
  pacer: SendPacer,
  session: AbortSignal,
  { clock = () => performance.now(), onOverallSlot }: PacedSendsOptions = {},
): Transformer {
  return async (prev, method, payload, signal) => {
    const chatId = (payload as { chat_id?: unknown } | undefined)?.chat_id;
    if (postsMessage(method) && (typeof chatId === "number" || typeof chatId === "string")) {
      const chatReadyMs = clock();
      await sleep(pacer.reserveChat(String(chatId), chatReadyMs) - chatReadyMs, session);
      const readyMs = clock();
      const overallMs = pacer.reserveOverall(readyMs);
      onOverallSlot?.(overallMs);
      await sleep(overallMs - readyMs, session);
    }
    return prev(method, payload, signal);
  };
}
