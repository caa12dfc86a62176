/** Waiting that a session's end cuts short. */

/**
 * Resolves after `delayMs`, or at once when `signal` aborts (callers check
 * the signal after). The one way NexaLoak waits for time to pass.
 */
export function sleep(delayMs: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted || delayMs <= 0) {
      resolve();
      return;
    }
    if (!signal) {
      setTimeout(resolve, delayMs);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, delayMs);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** Resolves once `signal` aborts: the rest of a term, for work that runs through callbacks. */
export function waitForAbort(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
}
