/**
 * Helpers for the emulator's suites: a started emulator that is always
 * stopped, and raw Bot API calls with their HTTP status.
 */
import {
  createTelegramEmulator,
  type TelegramEmulator,
  type TelegramEmulatorOptions,
} from "../../../../scripts/telegram-emulator/emulator.ts";
import { sleep } from "../../../../shared/sleep.ts";

/** A token of Telegram's shape: digits, a colon, 35 characters. */
export const TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0";
export const BOT_ID = 123456789;

/** Every request gives up after this long, so a hung emulator fails the test instead of the run. */
const REQUEST_TIMEOUT_MS = 10_000;

/** Runs `body` against a fresh emulator and stops it whatever happens. */
export async function withEmulator(
  body: (emulator: TelegramEmulator) => Promise<void>,
  options: TelegramEmulatorOptions = {},
): Promise<void> {
  const emulator = await createTelegramEmulator(options);
  try {
    await body(emulator);
  } finally {
    await emulator.stop();
  }
}

export interface ApiAnswer {
  status: number;
  body: {
    ok: boolean;
    result?: unknown;
    error_code?: number;
    description?: string;
    parameters?: { retry_after?: number };
  };
}

/** POSTs `params` as JSON to `/bot<token>/<method>` and returns status and parsed body. */
export async function callMethod(
  emulator: TelegramEmulator,
  method: string,
  params: Record<string, unknown> = {},
  options: { token?: string; signal?: AbortSignal } = {},
): Promise<ApiAnswer> {
  const signal = options.signal
    ? AbortSignal.any([options.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)])
    : AbortSignal.timeout(REQUEST_TIMEOUT_MS);
  const response = await fetch(`${emulator.apiRoot}/bot${options.token ?? TOKEN}/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(params),
    signal,
  });
  return { status: response.status, body: (await response.json()) as ApiAnswer["body"] };
}

/** The `result` of a call that must succeed. */
export async function resultOf<Result = unknown>(
  emulator: TelegramEmulator,
  method: string,
  params: Record<string, unknown> = {},
): Promise<Result> {
  const answer = await callMethod(emulator, method, params);
  if (!answer.body.ok) {
    throw new Error(`${method} failed: ${answer.status} ${answer.body.description ?? ""}`);
  }
  return answer.body.result as Result;
}

/** A user who has written to the bot, so the bot may message them. */
export function startedUser(emulator: TelegramEmulator, id = 1001) {
  const user = emulator.user(id, { first_name: "Ann", username: "ann_user", language_code: "en" });
  user.send("/start");
  return user;
}

/** Resolves once `condition` holds, checking every 5 ms; rejects after `timeoutMs`. */
export async function waitUntil(
  condition: () => boolean,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await sleep(5);
  }
}

/** The error `promise` rejects with; fails the test if it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`rejected with a non-Error: ${String(error)}`);
  }
  throw new Error("expected the promise to reject, but it resolved");
}
