/** Undoing what a test started, in the reverse order of starting it. */

/**
 * Runs and empties `cleanups`, the last added first; one that fails is
 * reported on stderr and the others still run, so nothing is left behind.
 */
export async function runCleanups(cleanups: Array<() => Promise<void>>): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) {
    try {
      await cleanup();
    } catch (error) {
      process.stderr.write(`teardown step failed: ${(error as Error).message}\n`);
    }
  }
}
