/**
 * The leader's `getUpdates` loop, as an update supplier for grammY's runner.
 * It differs from the runner's own fetcher in what leadership needs:
 *
 * - a new leader's first poll sends no offset, so Telegram answers from the
 *   first update no leader confirmed (each leader confirms an update only
 *   once it is committed and answered, see update-progress.ts);
 * - later polls ask from the oldest update not settled yet, since asking
 *   for offset N confirms everything below N; they do not wait for earlier
 *   batches to finish, and updates still being handled that come back with
 *   new ones are left out (when only those come back, the next poll waits
 *   for one of them to settle, or a moment);
 * - 409 Conflict is transient (a former leader's poll may still be open for
 *   an instant), never the end of polling;
 * - no call starts while the leadership lease does not hold, and a poll
 *   open when the lease lapses is aborted (polling resumes once the lease is
 *   renewed); an abort of the session ends it at once, with no further call;
 * - with a long-poll timeout of 0 (see leader-bot.ts: a poll must end before
 *   a new leader's first poll), an empty answer is followed by a short
 *   pause, not by the next poll at once.
 */
import type { UpdateSupplier } from "@grammyjs/runner";
import { type Api, GrammyError } from "grammy";
import type { Update } from "grammy/types";
import { Backoff } from "../shared/backoff.ts";
import type { Logger } from "../shared/logger.ts";
import { sleep } from "../shared/sleep.ts";
import type { UpdateProgress } from "./update-progress.ts";

export interface UpdateSupplierOptions {
  api: Api;
  /** Which updates are settled, so which offset confirms nothing too early. */
  progress: Pick<
    UpdateProgress,
    "pollPosition" | "receive" | "nextChange" | "polled" | "confirmationWanted"
  >;
  /** How long one `getUpdates` waits for an update, in seconds. */
  pollTimeoutSeconds: number;
  /** Update types the bot handles; Telegram drops the rest before they reach us. */
  allowedUpdates: readonly string[];
  /** Whether a poll may start now (the leadership lease holds); checked before each call. */
  mayPoll: () => boolean;
  /** Aborts when the lease the poll starts under runs out. */
  pollSignal: () => AbortSignal;
  /** Called with each batch of new updates before the runner sees it. */
  onBatch: (updates: readonly Update[]) => void;
  /** Pause after a failed poll, doubling up to `maxRetryDelayMs`. */
  minRetryDelayMs?: number;
  maxRetryDelayMs?: number;
  logger: Logger;
}

const LEASE_RECHECK_MS = 10;
const MAX_CONFLICT_DELAY_MS = 1000;
/**
 * After a poll was cut off by a lapsed lease, the next one waits this long:
 * the abort reaches Telegram as a closed connection, and a new poll that
 * arrives first would overlap it (Telegram answers 409 to one of them).
 */
const AFTER_CUT_OFF_POLL_MS = 200;
/** How long a poll that brought back only updates still being handled waits before the next. */
const UNSETTLED_RECHECK_MS = 100;
/** The pause after an empty short poll (timeout 0) before the next. */
export const IDLE_POLL_PAUSE_MS = 200;

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
  const retryDelays = {
    minDelayMs: options.minRetryDelayMs ?? 100,
    maxDelayMs: options.maxRetryDelayMs ?? 5000,
  };
  const { progress } = options;
  return {
    async supply(batchSize, runnerSignal) {
      const signal = runnerSignal as unknown as AbortSignal;
      const backoff = new Backoff(retryDelays);
      for (;;) {
        if (!options.mayPoll()) {
          // The session is about to end (or the lease to be renewed): do not call.
          await sleep(LEASE_RECHECK_MS, signal);
          if (signal.aborted) throw signal.reason;
          continue;
        }
        try {
          const { offset, unsettled } = progress.pollPosition();
          // Unsettled updates come back at once anyway; without them, wait for
          // news, unless an effect waits for this poll to confirm its update.
          const lingers = !unsettled && !progress.confirmationWanted();
          const updates = await options.api.getUpdates(
            {
              ...(offset === undefined ? {} : { offset }),
              limit: Math.max(1, Math.min(batchSize, 100)),
              timeout: lingers ? options.pollTimeoutSeconds : 0,
              allowed_updates: options.allowedUpdates as never,
            },
            AbortSignal.any([signal, options.pollSignal()]) as typeof runnerSignal,
          );
          if (offset !== undefined) progress.polled(offset);
          const fresh = new Set(progress.receive(updates.map((update) => update.update_id)));
          const batch = updates.filter((update) => fresh.has(update.update_id));
          if (batch.length === 0 && unsettled) {
            await untilAborted(progress.nextChange(UNSETTLED_RECHECK_MS), signal);
            continue;
          }
          if (batch.length === 0 && lingers && options.pollTimeoutSeconds === 0) {
            await sleep(IDLE_POLL_PAUSE_MS, signal);
            if (signal.aborted) throw signal.reason;
            continue;
          }
          options.onBatch(batch);
          return batch;
        } catch (error) {
          if (signal.aborted) throw error;
          // The lease lapsed during the poll: wait for it to be renewed, and for the cut-off poll to end.
          if (!options.mayPoll()) {
            await sleep(AFTER_CUT_OFF_POLL_MS, signal);
            if (signal.aborted) throw signal.reason;
            continue;
          }
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
          // A conflicting poller is gone within a second (a former leader's last poll).
          const delayMs = backoff.next();
          await sleep(code === 409 ? Math.min(delayMs, MAX_CONFLICT_DELAY_MS) : delayMs, signal);
          if (signal.aborted) throw signal.reason;
        }
      }
    },
  };
}
