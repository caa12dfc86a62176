import type { Redis } from "ioredis";
import { err, ok, type Result } from "../../shared/result.ts";

/** The Redis settings that decide whether an acknowledged write survives a crash. */
export interface RedisDurabilitySettings {
  appendonly: string;
  appendfsync: string;
  /** `yes` skips fsync while the AOF is being rewritten. */
  noAppendfsyncOnRewrite: string;
}

export type DurabilityErrorCode = "REDIS_NOT_DURABLE" | "STORAGE_UNAVAILABLE";

/**
 * Decides whether Redis keeps every write it acknowledged across a crash or a
 * power loss: only with the AOF on, fsynced before each reply, and fsync not
 * skipped during AOF rewrites. A node answers a vote or an append only once
 * its write is durable, so anything less can lose votes and committed entries.
 */
export function assessDurability(
  settings: RedisDurabilitySettings,
): Result<RedisDurabilitySettings, "REDIS_NOT_DURABLE"> {
  const { appendonly, appendfsync, noAppendfsyncOnRewrite } = settings;
  if (appendonly === "yes" && appendfsync === "always" && noAppendfsyncOnRewrite === "no") {
    return ok(settings);
  }
  return err(
    "REDIS_NOT_DURABLE",
    `Redis can lose acknowledged writes: appendonly is "${appendonly}" and appendfsync is ` +
      `"${appendfsync}" (no-appendfsync-on-rewrite is "${noAppendfsyncOnRewrite}"); the Raft log ` +
      'needs appendonly "yes", appendfsync "always" and no-appendfsync-on-rewrite "no". ' +
      "Start redis-server with --appendonly yes --appendfsync always, or run " +
      "CONFIG SET appendonly yes, CONFIG SET appendfsync always, CONFIG SET no-appendfsync-on-rewrite no " +
      "and then CONFIG REWRITE to keep them. ALLOW_VOLATILE_REDIS=1 starts anyway and accepts " +
      "losing data on a crash: for development only.",
  );
}

/**
 * Reads Redis's AOF settings with CONFIG GET and assesses them (see
 * {@link assessDurability}). A Redis that refuses CONFIG (some hosted ones
 * do) cannot be shown durable and gets `REDIS_NOT_DURABLE` too.
 */
export async function checkRedisDurability(
  redis: Redis,
): Promise<Result<RedisDurabilitySettings, DurabilityErrorCode>> {
  let settings: RedisDurabilitySettings;
  try {
    settings = {
      appendonly: await readConfig(redis, "appendonly"),
      appendfsync: await readConfig(redis, "appendfsync"),
      noAppendfsyncOnRewrite: await readConfig(redis, "no-appendfsync-on-rewrite"),
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof Error && error.name === "ReplyError") {
      return err(
        "REDIS_NOT_DURABLE",
        `cannot tell whether Redis keeps acknowledged writes: CONFIG GET failed (${message}). ` +
          "Allow CONFIG for this client, or set ALLOW_VOLATILE_REDIS=1 to start anyway " +
          "(for development only).",
      );
    }
    return err("STORAGE_UNAVAILABLE", `could not read Redis's AOF settings: ${message}`);
  }
  return assessDurability(settings);
}

async function readConfig(redis: Redis, parameter: string): Promise<string> {
  // CONFIG GET answers [name, value] (or [] for a parameter this Redis does not know).
  const reply = await redis.config("GET", parameter);
  const value: unknown = Array.isArray(reply) ? reply[1] : undefined;
  return typeof value === "string" ? value : "(unknown)";
}
