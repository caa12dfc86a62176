/**
 * What a node takes from its surroundings besides its log store and its
 * peers: a clock, timers and randomness. Production passes the process's
 * own ({@link systemRuntime}); the simulator passes virtual ones, so a whole
 * cluster of real nodes runs deterministically from a seed. Nothing in the
 * node reaches for `Date`, `setTimeout` or `Math.random` itself.
 */
import { randomInt } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { RandomSource } from "./raft/types.ts";

/** Cancels a timer; calling it again, or after the timer fired, does nothing. */
export type CancelTimer = () => void;

export interface Runtime {
  /** Milliseconds on a monotonic clock (for durations and deadlines, not dates). */
  nowMs(): number;
  /** Runs `callback` once, `delayMs` from now. */
  after(delayMs: number, callback: () => void): CancelTimer;
  /** Runs `callback` every `periodMs`. */
  every(periodMs: number, callback: () => void): CancelTimer;
  /**
   * Runs `callback` once the I/O that is already waiting has been handled:
   * at the end of this turn of the event loop, with no delay of its own.
   */
  afterPendingIo(callback: () => void): CancelTimer;
  random: RandomSource;
}

/** Resolves `delayMs` from now on `runtime`'s clock. */
export function sleepFor(runtime: Runtime, delayMs: number): Promise<void> {
  return new Promise((resolve) => runtime.after(delayMs, resolve));
}

/**
 * The process's clock and timers, and crypto-grade randomness. A one-off
 * timer keeps the process alive (someone waits for it); a periodic one does not.
 */
export const systemRuntime: Runtime = {
  nowMs: () => performance.now(),
  after(delayMs, callback) {
    const timer = setTimeout(callback, delayMs);
    return () => clearTimeout(timer);
  },
  every(periodMs, callback) {
    const timer = setInterval(callback, periodMs);
    timer.unref?.();
    return () => clearInterval(timer);
  },
  afterPendingIo(callback) {
    const immediate = setImmediate(callback);
    return () => clearImmediate(immediate);
  },
  random: { nextInt: (maxExclusive) => (maxExclusive <= 1 ? 0 : randomInt(maxExclusive)) },
};
