import { hostname } from "node:os";
import { type DestinationStream, type Logger as PinoLogger, pino } from "pino";

/** pino's levels, most to least severe; `silent` turns logging off. */
export const logLevels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

export type LogLevel = (typeof logLevels)[number];

/** A structured logger: `logger.info({ term }, "became leader")`, `logger.child({ peer })`. */
export type Logger = PinoLogger;

export interface LoggerOptions {
  /** One of {@link logLevels}; pino throws on anything else. */
  level: string;
  /** Added to every line, so lines from the whole fleet can be merged and filtered. */
  nodeId?: string;
  /** Where lines go; standard output unless a test wants to read them. */
  destination?: DestinationStream;
}

/**
 * Field names whose values never reach a log line, even when a whole object
 * such as the node's config is logged.
 */
const secretFields = [
  "clusterSecret",
  "adminApiToken",
  "adminApiTokenSha256s",
  "botToken",
  "token",
  "authorization",
];

/** A Telegram bot token (`<bot id>:<35 characters>`) wherever it appears in text. */
const BOT_TOKEN_PATTERN = /(?<!\d)\d{5,}:[A-Za-z0-9_-]{30,}/g;
/** A bearer credential in text (an Authorization header quoted in an error). */
const BEARER_PATTERN = /\b(Bearer\s+)[^\s"']+/gi;

/** `text` with every credential it may quote replaced by `[redacted]`. */
export function scrubSecrets(text: string): string {
  return text.replace(BOT_TOKEN_PATTERN, "[redacted]").replace(BEARER_PATTERN, "$1[redacted]");
}

/**
 * How an error is logged: its type, code, message and stack, scrubbed of
 * credentials, and its cause the same way. Nothing else: a library's error
 * may carry the whole request or context (grammY's BotError carries the
 * update's context, with the bot token and the user's text).
 */
export function serializeError(error: unknown): Record<string, unknown> | string {
  if (!(error instanceof Error)) return scrubSecrets(String(error));
  const serialized: Record<string, unknown> = {
    type: error.name,
    message: scrubSecrets(error.message),
  };
  const code =
    (error as { code?: unknown; error_code?: unknown }).code ??
    (error as { error_code?: unknown }).error_code;
  if (typeof code === "string" || typeof code === "number") serialized.code = code;
  if (error.stack) serialized.stack = scrubSecrets(error.stack);
  if (error.cause !== undefined) serialized.cause = serializeError(error.cause);
  return serialized;
}

/**
 * Creates the process's logger: one JSON object per line with an ISO time, the
 * level as a word (`"level":"info"`) and `nodeId`.
 */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { nodeId: options.nodeId, pid: process.pid, hostname: hostname() },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: serializeError, error: serializeError },
      redact: {
        paths: [...secretFields, ...secretFields.map((field) => `*.${field}`)],
        censor: "[redacted]",
      },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}
