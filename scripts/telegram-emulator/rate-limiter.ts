/**
 * Optional flood control: sends per chat and overall at an average rate
 * with room for short bursts, the way Telegram enforces about 1 message a
 * second per chat and 30 overall. A refused send is not counted. Pure: the
 * caller passes the time.
 */
import { KeyedTokenBuckets, TokenBucket } from "../../shared/token-bucket.ts";

export interface RateLimits {
  /** Average sends per second to one chat; unlimited when absent. */
  perChatPerSecond?: number;
  /** Sends one chat may get at once after a quiet spell; default `perChatPerSecond` (at least 1). */
  perChatBurst?: number;
  /** Average sends per second in total; unlimited when absent. */
  globalPerSecond?: number;
  /** Sends allowed at once in total after a quiet spell; default `globalPerSecond` (at least 1). */
  globalBurst?: number;
}

/**
 * Telegram's limits as the emulator enforces them when asked to: a chat gets
 * 1 message a second with bursts of 4 (a config with its QR code and
 * instructions passes at once), and the bot 30 a second overall.
 */
export const TELEGRAM_FLOOD_LIMITS: Required<RateLimits> = {
  perChatPerSecond: 1,
  perChatBurst: 4,
  globalPerSecond: 30,
  globalBurst: 30,
};

export class SendRateLimiter {
  private readonly global: TokenBucket | undefined;
  private readonly chats: KeyedTokenBuckets<number> | undefined;

  constructor(limits: RateLimits) {
    if (limits.globalPerSecond !== undefined)
      this.global = new TokenBucket({
        perSecond: limits.globalPerSecond,
        burst: Math.max(1, limits.globalBurst ?? limits.globalPerSecond),
      });
    if (limits.perChatPerSecond !== undefined)
      this.chats = new KeyedTokenBuckets({
        perSecond: limits.perChatPerSecond,
        burst: Math.max(1, limits.perChatBurst ?? limits.perChatPerSecond),
      });
  }

  /**
   * Admits a send to `chatId` at `nowMs` and returns 0, or refuses it and
   * returns the whole seconds to wait (at least 1), as `retry_after` says.
   */
  admit(chatId: number, nowMs: number): number {
    const chat = this.chats?.get(chatId, nowMs);
    const fitsAtMs = Math.max(
      this.global?.earliest(nowMs) ?? nowMs,
      chat?.earliest(nowMs) ?? nowMs,
    );
    if (fitsAtMs > nowMs) return Math.max(1, Math.ceil((fitsAtMs - nowMs) / 1000));
    this.global?.take(nowMs);
    chat?.take(nowMs);
    return 0;
  }
}
