/**
 * How much earlier than a new leader's first poll a former leader's last
 * poll ends at Telegram at the latest: room for the request's way there.
 */
const POLL_END_MARGIN_MS = 200;

/**
 * The long-poll timeout, in whole seconds as Telegram takes it: the longest
 * that still ends, with a margin, before a new leader's first poll. A leader
 * frozen (SIGSTOP, a stalled VM) cannot abort its open `getUpdates`, which
 * Telegram keeps open for the whole timeout; it has ended before another
 * leader polls, so two polls are never open at once. Below 1.2 s of wait
 * that is 0: short polls, with a pause after an empty one.
 */
export function pollTimeoutSecondsFor(firstPollDelayMs: number, upperBoundSeconds = 25): number {
  const fitting = Math.floor((firstPollDelayMs - POLL_END_MARGIN_MS) / 1000);
  return Math.max(0, Math.min(upperBoundSeconds, fitting));
}
