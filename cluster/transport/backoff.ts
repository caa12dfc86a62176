/**
 * Reconnect delays: exponential back-off with jitter, so a restarted peer is
 * not hit by every dialer at the same instant and a dead one is not hammered.
 */

export interface BackoffOptions {
  minDelayMs: number;
  maxDelayMs: number;
}

/**
 * The delay before reconnect attempt `attempt` (0 for the first after a loss).
 * The ceiling doubles per attempt from `minDelayMs` up to `maxDelayMs`; the
 * delay is drawn uniformly from the upper half of the ceiling, never below
 * `minDelayMs`. `random` returns a number in [0, 1), like Math.random.
 */
export function reconnectDelayMs(
  attempt: number,
  options: BackoffOptions,
  random: () => number,
): number {
  const { minDelayMs, maxDelayMs } = options;
  // 2 ** 31 is far past any real ceiling and keeps the arithmetic finite.
  const ceilingMs = Math.min(maxDelayMs, minDelayMs * 2 ** Math.min(attempt, 31));
  const floorMs = Math.max(minDelayMs, ceilingMs / 2);
  return Math.round(floorMs + random() * (ceilingMs - floorMs));
}
