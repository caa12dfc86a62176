/**
 * Milliseconds on the process's monotonic clock (`performance.now()`), made
 * strictly increasing: two events the emulator orders are never stamped
 * alike, so "this poll ended before that one started" is a plain `<`.
 */
export type MonotonicClock = () => number;

/** The smallest step that still changes a `performance.now()` value of any realistic size. */
const TIE_BREAK_MS = 1e-6;

export function createMonotonicClock(): MonotonicClock {
  let lastMs = -Infinity;
  return () => {
    const nowMs = performance.now();
    lastMs = nowMs > lastMs ? nowMs : lastMs + TIE_BREAK_MS;
    return lastMs;
  };
}
