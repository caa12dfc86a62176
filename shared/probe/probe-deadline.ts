/**
 * The deadline and cancellation every probe shares: whatever its socket does,
 * a probe settles once, by its timeout at the latest, and releases its
 * socket when it does.
 */
import { performance } from "node:perf_hooks";
import { failedOutcome, failureOfError } from "./probe-failure.ts";
import type { ProbeOutcome } from "./probe-request.ts";

/** How long one probe may take, and the caller's way to stop it early. */
export interface ProbeOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

/** What a probe's I/O is handed when it starts. */
export interface ProbeAttempt {
  /** Settles the probe with `outcome`; calls after the first are ignored. */
  finish(outcome: ProbeOutcome): void;
  /**
   * Milliseconds since the probe started, or since `fromMs` (an earlier
   * reading of this clock), to the microsecond.
   */
  elapsedMs(fromMs?: number): number;
}

/**
 * Runs one probe's I/O: `start` opens its socket and returns the function
 * that closes it. The probe ends at the first of `finish`, the deadline
 * (`timeoutOutcome`, `generic_timeout_error` unless the probe knows better)
 * or the caller's abort (`interrupted`); the socket is closed exactly once.
 * An exception thrown by `start` becomes the failure it names. Never rejects.
 */
export function probeWithin(
  options: ProbeOptions,
  start: (attempt: ProbeAttempt) => () => void,
  timeoutOutcome: () => ProbeOutcome = () => failedOutcome("generic_timeout_error"),
): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const { signal } = options;
    if (signal?.aborted) {
      resolve(failedOutcome("interrupted"));
      return;
    }
    const startedAt = performance.now();
    let settled = false;
    let release: (() => void) | undefined;

    const releaseSocket = () => {
      const releaseOnce = release;
      release = undefined;
      releaseOnce?.();
    };
    const onAbort = () => finish(failedOutcome("interrupted"));
    const timer = setTimeout(() => finish(timeoutOutcome()), options.timeoutMs);
    function finish(outcome: ProbeOutcome): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      releaseSocket();
      resolve(outcome);
    }
    signal?.addEventListener("abort", onAbort, { once: true });

    const elapsedMs = (fromMs = 0) =>
      Math.max(0, Math.round((performance.now() - startedAt - fromMs) * 1000) / 1000);
    try {
      release = start({ finish, elapsedMs });
    } catch (error) {
      finish(failedOutcome(failureOfError(error)));
    }
    // `start` may have finished the probe before it returned its release function.
    if (settled) releaseSocket();
  });
}
