/**
 * A local Telegram Bot API server for tests and development. One emulator
 * plays one bot (any accepted token names it) and any number of users:
 *
 * - the Bot API at `apiRoot` (`/bot<token>/<method>`, files at
 *   `/file/bot<token>/<path>`), for grammY's `client.apiRoot`, with real long
 *   polling and Telegram's 409 Conflict when a second poller arrives;
 * - a user side for tests (`user(id)` to write, press buttons and read the
 *   inbox; `group(id)` to add the bot to a group or channel and write there)
 *   and for people: a web chat page at `url` over `/sandbox/...`;
 * - evidence and controls for tests: every poll's start and end
 *   (`polls()`, `overlappingPolls()`), optional flood control, scheduled
 *   failures.
 */
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { answerFileDownload, answerMethodCall, type BotApiContext } from "./bot-api.ts";
import { BotApiError } from "./bot-api-error.ts";
import type { UserProfile } from "./chats.ts";
import { createEmulatedGroup, type EmulatedGroup } from "./emulated-group.ts";
import { createEmulatedUser, type EmulatedUser } from "./emulated-user.ts";
import type { InjectedError } from "./fault-plan.ts";
import type { GroupProfile } from "./group-chats.ts";
import { sendJson } from "./http-io.ts";
import { findOverlappingPolls, type PollOverlap, type PollRecord } from "./poll-log.ts";
import { type RateLimits, SendRateLimiter } from "./rate-limiter.ts";
import { answerSandboxRequest } from "./sandbox-routes.ts";
import { type BotProfile, createEmulatorState } from "./state.ts";
import type { Update } from "./telegram-objects.ts";
import { botIdFromToken } from "./token.ts";

export type { EmulatedGroup } from "./emulated-group.ts";
export type { EmulatedUser } from "./emulated-user.ts";
export type { InjectedError } from "./fault-plan.ts";
export type { InboxMessage } from "./inbox.ts";
export type { PollOverlap, PollRecord } from "./poll-log.ts";
export { type RateLimits, TELEGRAM_FLOOD_LIMITS } from "./rate-limiter.ts";
export { UserActionError } from "./user-actions.ts";

export interface TelegramEmulatorOptions {
  /** Port to listen on; 0 (the default) takes a free one. */
  port?: number;
  /** Only loopback: the emulator is for this machine. */
  host?: "127.0.0.1";
  /** The bot tokens to accept (others get 401); default any token shaped `<digits>:<35+ characters>`. */
  tokens?: string[];
  /** The first update's `update_id`; later ones count up from it. Default 1. */
  firstUpdateId?: number;
  /** The bot's name in `getMe` and on its messages. */
  bot?: BotProfile;
  /**
   * Flood control from the start (429 with `retry_after` beyond these
   * limits), e.g. TELEGRAM_FLOOD_LIMITS; default off. setRateLimit changes it.
   */
  floodLimits?: RateLimits;
  /** Told about a failure inside the emulator (answered 500); default: printed to stderr. */
  onInternalError?: (error: unknown) => void;
}

export interface TelegramEmulator {
  /** The Bot API root for grammY's `client.apiRoot`, e.g. `http://127.0.0.1:40123` (no trailing slash). */
  readonly apiRoot: string;
  /** The web chat page. */
  readonly url: string;
  readonly port: number;
  /**
   * The emulated user with this Telegram id, created on first use. A given
   * profile replaces the stored one; the default name is "User <id>".
   */
  user(id: number, profile?: UserProfile): EmulatedUser;
  /**
   * The group, supergroup or channel with this id (negative, as Telegram's
   * are), created on first use without the bot in it. A given profile
   * replaces the stored one; the default is a supergroup "Group <id>".
   */
  group(id: number, profile?: GroupProfile): EmulatedGroup;
  /** Every user created so far, through `user()` or the web page. */
  users(): EmulatedUser[];
  /**
   * Every connection accepted so far, oldest first, with where it came from
   * and how many requests it carried: a test checks that the bot reached the
   * emulator only through its proxy.
   */
  connections(): ConnectionRecord[];
  /** Every `getUpdates` call so far, oldest first. */
  polls(): PollRecord[];
  /** Pairs of polls that were open at the same instant; empty when pollers never overlapped. */
  overlappingPolls(): PollOverlap[];
  /**
   * Resolves with the next poll that waits for updates, or short poll that
   * found none (or the one waiting now); rejects after `timeoutMs`.
   */
  waitForPolling(timeoutMs: number): Promise<PollRecord>;
  /** Updates queued and not yet confirmed by the bot, oldest first. */
  pendingUpdates(): Update[];
  /** Turns flood control on (answering 429 with `retry_after`), or off with null. Off by default. */
  setRateLimit(limits: RateLimits | null): void;
  /** How many sends flood control refused (answered 429) so far. */
  floodRefusals(): number;
  /** Makes the next call of `method` fail with `error` and no effect; each call schedules one failure. */
  failNext(method: string, error: InjectedError): void;
  /** Ends a waiting poll, closes every connection and the port. Safe to call twice. */
  stop(): Promise<void>;
}

/** One TCP connection the emulator accepted. */
export interface ConnectionRecord {
  remoteAddress: string;
  remotePort: number;
  /** HTTP requests it carried so far. */
  requests: number;
}

const DEFAULT_BOT: BotProfile = { first_name: "NexaLoak", username: "nexaloak_bot" };
/** The bot's id before any token has been seen, when no tokens are configured. */
const DEFAULT_BOT_ID = 7_000_000_001;

const sandboxPage = readFileSync(new URL("./sandbox.html", import.meta.url));

function reportToStderr(error: unknown): void {
  process.stderr.write(
    `telegram emulator: internal error: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
}

function checkOptions(options: TelegramEmulatorOptions): void {
  for (const token of options.tokens ?? []) {
    if (botIdFromToken(token) === null) {
      throw new Error(
        `telegram emulator: token ${JSON.stringify(token)} is not shaped <digits>:<35+ characters>`,
      );
    }
  }
  if (options.host !== undefined && options.host !== "127.0.0.1") {
    throw new Error("telegram emulator: host must be 127.0.0.1");
  }
  const firstUpdateId = options.firstUpdateId ?? 1;
  if (!Number.isSafeInteger(firstUpdateId) || firstUpdateId < 1) {
    throw new Error("telegram emulator: firstUpdateId must be a positive whole number");
  }
}

/** Starts an emulator on 127.0.0.1 and resolves once it accepts connections. */
export async function createTelegramEmulator(
  options: TelegramEmulatorOptions = {},
): Promise<TelegramEmulator> {
  checkOptions(options);
  const firstToken = options.tokens?.[0];
  const state = createEmulatorState({
    profile: options.bot ?? DEFAULT_BOT,
    botId: firstToken === undefined ? DEFAULT_BOT_ID : botIdFromToken(firstToken)!,
    firstUpdateId: options.firstUpdateId ?? 1,
  });
  if (options.floodLimits) state.rateLimiter = new SendRateLimiter(options.floodLimits);
  const context: BotApiContext = {
    state,
    acceptedTokens: options.tokens === undefined ? null : new Set(options.tokens),
    onInternalError: options.onInternalError ?? reportToStderr,
  };

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const path = url.pathname;
    const methodCall = /^\/bot([^/]+)\/([^/]+)$/.exec(path);
    if (methodCall) {
      const [, token = "", method = ""] = methodCall;
      await answerMethodCall(context, request, response, {
        token: decodeURIComponent(token),
        method,
        url,
      });
      return;
    }
    const download = /^\/file\/bot([^/]+)\/(.+)$/.exec(path);
    if (download && request.method === "GET") {
      const [, token = "", filePath = ""] = download;
      answerFileDownload(context, response, {
        token: decodeURIComponent(token),
        filePath: decodeURIComponent(filePath),
      });
      return;
    }
    if (path.startsWith("/sandbox/")) {
      await answerSandboxRequest(
        state,
        request,
        response,
        path.slice("/sandbox/".length).split("/"),
      );
      return;
    }
    if (path === "/" && request.method === "GET") {
      response.writeHead(200, {
        "content-type": "text/html; charset=utf-8",
        "content-length": sandboxPage.length,
      });
      response.end(sandboxPage);
      return;
    }
    sendJson(response, 404, { ok: false, error_code: 404, description: "Not Found" });
  }

  const connections: ConnectionRecord[] = [];
  const connectionOf = new WeakMap<Socket, ConnectionRecord>();
  const server = createServer((request, response) => {
    const connection = connectionOf.get(request.socket);
    if (connection) connection.requests++;
    route(request, response).catch((error: unknown) => {
      if (error instanceof BotApiError) {
        sendJson(response, error.errorCode, error.toBody());
        return;
      }
      context.onInternalError(error);
      sendJson(response, 500, { ok: false, error_code: 500, description: "Internal Server Error" });
    });
  });
  server.on("connection", (socket: Socket) => {
    const record = {
      remoteAddress: socket.remoteAddress ?? "",
      remotePort: socket.remotePort ?? 0,
      requests: 0,
    };
    connections.push(record);
    connectionOf.set(socket, record);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const apiRoot = `http://127.0.0.1:${port}`;
  let stopped: Promise<void> | null = null;

  return {
    apiRoot,
    url: `${apiRoot}/`,
    port,
    connections() {
      return connections.map((record) => ({ ...record }));
    },
    user(id, profile) {
      if (!Number.isSafeInteger(id) || id < 1) {
        throw new Error(`telegram emulator: a user id is a positive whole number, not ${id}`);
      }
      return createEmulatedUser(state, state.chats.ensure(id, profile));
    },
    group(id, profile) {
      if (!Number.isSafeInteger(id) || id > -1) {
        throw new Error(`telegram emulator: a group id is a negative whole number, not ${id}`);
      }
      return createEmulatedGroup(state, state.groups.ensure(id, profile));
    },
    users: () => state.chats.all().map((chat) => createEmulatedUser(state, chat)),
    polls: () => state.polls.all(),
    overlappingPolls: () => findOverlappingPolls(state.polls.all()),
    waitForPolling(timeoutMs) {
      const waiting = state.polling.current();
      if (waiting !== null) {
        return Promise.resolve({ ...waiting, updateIds: [...waiting.updateIds] });
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          unsubscribe();
          reject(new Error(`telegram emulator: no getUpdates waited within ${timeoutMs} ms`));
        }, timeoutMs);
        const unsubscribe = state.polling.onWaiting((record) => {
          clearTimeout(timer);
          unsubscribe();
          resolve({ ...record, updateIds: [...record.updateIds] });
        });
      });
    },
    pendingUpdates: () => state.updates.peek(Number.MAX_SAFE_INTEGER),
    setRateLimit(limits) {
      state.rateLimiter = limits === null ? null : new SendRateLimiter(limits);
    },
    floodRefusals: () => state.floodRefusals,
    failNext: (method, error) => state.faults.schedule(method, error),
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        state.polling.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopped;
    },
  };
}
