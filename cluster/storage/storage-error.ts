import type { ErrorValue } from "../../shared/result.ts";

/**
 * Why a storage call failed:
 * - `STORAGE_UNAVAILABLE`: Redis could not be reached or did not answer; retry later
 *   (every write of the store may be retried as is).
 * - `STORAGE_CORRUPT`: what Redis holds breaks the store's invariants; needs an operator.
 * - `STORAGE_REJECTED`: the write would break the log's invariants (a gap, an entry
 *   inside the snapshot, a changed committed entry); nothing was changed. A bug in the caller.
 */
export type StorageErrorCode = "STORAGE_UNAVAILABLE" | "STORAGE_CORRUPT" | "STORAGE_REJECTED";

/** The one error type the Raft log store throws; `code` is stable, `message` names the problem. */
export class StorageError extends Error implements ErrorValue<StorageErrorCode> {
  override readonly name = "StorageError";

  constructor(
    readonly code: StorageErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Prefix the Lua scripts put before their error replies; the code follows it. */
const SCRIPT_ERROR_CODES: readonly StorageErrorCode[] = ["STORAGE_REJECTED", "STORAGE_CORRUPT"];

/**
 * Turns whatever ioredis threw into a {@link StorageError}: the scripts' own
 * refusals keep their code, a key of the wrong type means another program
 * wrote under our prefix, and everything else (connection refused or closed,
 * timeout, a Redis still loading its AOF, a full disk) is `STORAGE_UNAVAILABLE`.
 */
export function toStorageError(error: unknown, action: string): StorageError {
  if (error instanceof StorageError) return error;
  const message = error instanceof Error ? error.message : String(error);
  for (const code of SCRIPT_ERROR_CODES) {
    if (message.startsWith(`${code} `)) {
      return new StorageError(code, `${action}: ${message.slice(code.length + 1)}`, {
        cause: error,
      });
    }
  }
  if (message.startsWith("WRONGTYPE")) {
    return new StorageError(
      "STORAGE_CORRUPT",
      `${action}: a key of the Raft log store holds the wrong type of value (${message}); another program writes under this key prefix`,
      { cause: error },
    );
  }
  return new StorageError("STORAGE_UNAVAILABLE", `${action}: Redis is unavailable (${message})`, {
    cause: error,
  });
}
