/**
 * Retry delays: exponential back-off, optionally with jitter, so a restarted
 * peer is not hit by every dialer at the same instant and a dead service is
 * not hammered. The one back-off every retry loop in NexaLoak uses.
 */

export interface BackoffOptions {
  minDelayMs: number;
  maxDelayMs: number;
}

/**
 * The delay before retry `attempt` (0 for the first). The ceiling doubles
 * per attempt from `minDelayMs` up to `maxDelayMs`. With `random` (a number
 * in [0, 1), like Math.random) the delay is drawn uniformly from the upper
 * half of the ceiling, never below `minDelayMs`; without, it is the ceiling.
 */
export function backoffDelayMs(
  attempt: number,
  options: BackoffOptions,
  random?: () => number,
): number {
  const { minDelayMs, maxDelayMs } = options;
  // 2 ** 31 is far past any real ceiling and keeps the arithmetic finite.
  const ceilingMs = Math.min(maxDelayMs, minDelayMs * 2 ** Math.min(attempt, 31));
  if (!random) return ceilingMs;
  const floorMs = Math.max(minDelayMs, ceilingMs / 2);
  return Math.round(floorMs + random() * (ceilingMs - floorMs));
}

/** The delays of one retry loop: next() gives each in turn, reset() starts over after a success. */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly options: BackoffOptions,
    private readonly random?: () => number,
  ) {}

  next(): number {
    return backoffDelayMs(this.attempt++, this.options, this.random);
  }

  reset(): void {
    this.attempt = 0;
  }
}
