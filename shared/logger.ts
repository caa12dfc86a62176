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
const secretFields = ["clusterSecret", "adminApiToken", "botToken"];

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
      redact: {
        paths: [...secretFields, ...secretFields.map((field) => `*.${field}`)],
        censor: "[redacted]",
      },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}
