/**
 * Optional flood control for tests: at most N sends per chat and M overall in
 * any one-second window, the limits Telegram enforces (about 1 per chat and
 * 30 overall). A refused send is not counted. Pure: the caller passes the time.
 */

export interface RateLimits {
  /** Sends allowed to one chat in any 1 000 ms; unlimited when absent. */
  perChatPerSecond?: number;
  /** Sends allowed in total in any 1 000 ms; unlimited when absent. */
  globalPerSecond?: number;
}

const WINDOW_MS = 1000;

export class SendRateLimiter {
  private readonly globalSends: number[] = [];
  private readonly chatSends = new Map<number, number[]>();

  constructor(private readonly limits: RateLimits) {}

  /**
   * Admits a send to `chatId` at `nowMs` and returns 0, or refuses it and
   * returns the whole seconds to wait (at least 1), as `retry_after` says.
   */
  admit(chatId: number, nowMs: number): number {
    const chatSends = this.chatSends.get(chatId) ?? [];
    const waitMs = Math.max(
      waitForRoom(this.globalSends, this.limits.globalPerSecond, nowMs),
      waitForRoom(chatSends, this.limits.perChatPerSecond, nowMs),
    );
    if (waitMs > 0) return Math.max(1, Math.ceil(waitMs / 1000));
    this.globalSends.push(nowMs);
    chatSends.push(nowMs);
    this.chatSends.set(chatId, chatSends);
    return 0;
  }
}

/** Drops sends that left the window; returns how long until one more fits (0: it fits now). */
function waitForRoom(sends: number[], limit: number | undefined, nowMs: number): number {
  while (sends.length > 0 && sends[0]! <= nowMs - WINDOW_MS) sends.shift();
  if (limit === undefined || sends.length < limit) return 0;
  return sends[sends.length - limit]! + WINDOW_MS - nowMs;
}
