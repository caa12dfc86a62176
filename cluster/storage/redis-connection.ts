import { Redis } from "ioredis";
import { StorageError } from "./storage-error.ts";

export interface RedisConnectionOptions {
  /** How long connectRedis waits for the first connection before giving up; default 5 000 ms. */
  readyTimeoutMs?: number;
  /** A command without an answer after this long fails; default 5 000 ms. */
  commandTimeoutMs?: number;
  /** Reconnect back-off doubles from 50 ms up to this; default 2 000 ms. */
  maxReconnectDelayMs?: number;
  /** Shown in CLIENT LIST, to tell the nodes' connections apart. */
  connectionName?: string;
  /**
   * Receives connection errors (refused, reset, timed out) as the client
   * retries, for logging. Commands report their own failures.
   */
  onConnectionError?: (error: Error) => void;
}

const DEFAULT_READY_TIMEOUT_MS = 5_000;
const DEFAULT_COMMAND_TIMEOUT_MS = 5_000;
const DEFAULT_MAX_RECONNECT_DELAY_MS = 2_000;
const FIRST_RECONNECT_DELAY_MS = 50;

/**
 * Connects to the node's Redis and resolves once it is ready for commands.
 *
 * The client suits a node that must know at once when its storage is gone:
 * a command issued while disconnected fails immediately (no offline queue),
 * and commands in flight when the connection drops fail rather than being
 * replayed later, so the node reports not-ready and retries on its own terms.
 * The client reconnects by itself, forever, with capped exponential back-off.
 *
 * Fails with `STORAGE_UNAVAILABLE` (and leaves nothing connecting) if Redis
 * is not ready within `readyTimeoutMs`.
 */
export async function connectRedis(
  url: string,
  options: RedisConnectionOptions = {},
): Promise<Redis> {
  const maxReconnectDelayMs = options.maxReconnectDelayMs ?? DEFAULT_MAX_RECONNECT_DELAY_MS;
  const readyTimeoutMs = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    commandTimeout: options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
    connectTimeout: Math.min(readyTimeoutMs, DEFAULT_READY_TIMEOUT_MS),
    retryStrategy: (attempt) =>
      Math.min(FIRST_RECONNECT_DELAY_MS * 2 ** Math.min(attempt - 1, 16), maxReconnectDelayMs),
    ...(options.connectionName ? { connectionName: options.connectionName } : {}),
  });
  const lastFailure: { error?: Error } = {};
  redis.on("error", (error: Error) => {
    lastFailure.error = error;
    options.onConnectionError?.(error);
  });

  const ready = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), readyTimeoutMs);
    redis.once("ready", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
  // Connection failures are retried by the client and reported through "error".
  redis.connect().catch(() => undefined);
  if (await ready) return redis;

  redis.disconnect();
  throw new StorageError(
    "STORAGE_UNAVAILABLE",
    `Redis at ${redactUrl(url)} was not ready within ${readyTimeoutMs} ms` +
      `${lastFailure.error ? ` (${lastFailure.error.message})` : ""}; ` +
      connectionAdvice(url, lastFailure.error),
  );
}

/** What an operator should look at, given the URL and how connecting to it last failed. */
export function connectionAdvice(url: string, error: Error | undefined): string {
  if (!url.startsWith("unix:"))
    return "check that redis-server is running and reachable at that address";
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === "EACCES")
    return "this node's user may not open the socket: add it to the socket's group (scripts/install.sh's unit has SupplementaryGroups=redis)";
  return "check that redis-server is running with unixsocket set to that path";
}

/** The URL without its password, fit for logs and error messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparsable Redis URL)";
  }
}
