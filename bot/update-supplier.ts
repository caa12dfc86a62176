/**
 * The leader's `getUpdates` loop, as an update supplier for grammY's runner.
 * It differs from the runner's own fetcher in what leadership needs:
 *
 * - a new leader's first poll sends no offset, so Telegram answers from the
 *   first update no leader confirmed (each leader confirms an update only
 *   once it is committed and answered, see update-progress.ts);
 * - the next poll waits until the updates already received have settled,
 *   since asking for offset N confirms everything below N;
 * - 409 Conflict is transient (a former leader's poll may still be open for
 *   an instant), never the end of polling;
 * - no call starts while the leadership lease does not hold, and a poll
 *   open when the lease lapses is aborted (polling resumes once the lease is
 *   renewed); an abort of the session ends it at once, with no further call.
 */
import type { UpdateSupplier } from "@grammyjs/runner";
import { type Api, GrammyError } from "grammy";
import type { Update } from "grammy/types";
import type { Logger } from "../shared/logger.ts";
import { sleep } from "../shared/sleep.ts";

export interface UpdateSupplierOptions {
  api: Api;
  /** The first `offset` to ask for; undefined: none, Telegram answers from its own position. */
  firstOffset?: number;
  /** How long one `getUpdates` waits for an update, in seconds. */
  pollTimeoutSeconds: number;
  /** Update types the bot handles; Telegram drops the rest before they reach us. */
  allowedUpdates: readonly string[];
  /** Whether a poll may start now (the leadership lease holds); checked before each call. */
  mayPoll: () => boolean;
  /** Aborts when the lease the poll starts under runs out. */
  pollSignal: () => AbortSignal;
  /** Resolves when the next poll may confirm what earlier polls returned. */
  earlierUpdatesSettled: () => Promise<void>;
  /** Called with each batch before the runner sees it. */
  onBatch: (updates: readonly Update[]) => void;
  /** Pause after a failed poll, doubling up to `maxRetryDelayMs`. */
  minRetryDelayMs?: number;
  maxRetryDelayMs?: number;
  logger: Logger;
}

const LEASE_RECHECK_MS = 10;

/** `promise`, or a rejection as soon as `signal` aborts. */
function untilAborted(promise: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, reject);
  });
}

function describe(error: unknown): { code: number | undefined; message: string } {
  if (error instanceof GrammyError) return { code: error.error_code, message: error.description };
  return { code: undefined, message: error instanceof Error ? error.message : String(error) };
}

/** A supplier that polls from `firstOffset` on and retries every failure until aborted. */
export function createUpdateSupplier(options: UpdateSupplierOptions): UpdateSupplier<Update> {
  const minDelayMs = options.minRetryDelayMs ?? 100;
  const maxDelayMs = options.maxRetryDelayMs ?? 5000;
  let offset: number | undefined = options.firstOffset;
  return {
    async supply(batchSize, runnerSignal) {
      const signal = runnerSignal as unknown as AbortSignal;
      let delayMs = minDelayMs;
      await untilAborted(options.earlierUpdatesSettled(), signal);
      for (;;) {
        if (!options.mayPoll()) {
          // The session is about to end (or the lease to be renewed): do not call.
          await sleep(LEASE_RECHECK_MS, signal);
          if (signal.aborted) throw signal.reason;
          continue;
        }
        try {
          const updates = await options.api.getUpdates(
            {
              ...(offset === undefined ? {} : { offset }),
              limit: Math.max(1, Math.min(batchSize, 100)),
              timeout: options.pollTimeoutSeconds,
              allowed_updates: options.allowedUpdates as never,
            },
            AbortSignal.any([signal, options.pollSignal()]) as typeof runnerSignal,
          );
          const last = updates.at(-1);
          if (last) offset = last.update_id + 1;
          options.onBatch(updates);
          return updates;
        } catch (error) {
          if (signal.aborted) throw error;
          // The lease lapsed during the poll: wait for it to be renewed.
          if (!options.mayPoll()) continue;
          const { code, message } = describe(error);
          if (code === 409) {
            // Another poller is (still) open: a former leader's last poll, or a
            // webhook. Ours wins once the former leader is gone.
            options.logger.warn({ code }, `getUpdates conflicts with another poller; retrying`);
          } else if (code === 401 || code === 404) {
            options.logger.error({ code }, `Telegram refuses the bot token: ${message}`);
          } else {
            options.logger.warn({ code, err: message }, "getUpdates failed; retrying");
          }
          await sleep(delayMs, signal);
          if (signal.aborted) throw signal.reason;
          delayMs = Math.min(delayMs * 2, code === 409 ? 1000 : maxDelayMs);
        }
      }
    },
  };
}
