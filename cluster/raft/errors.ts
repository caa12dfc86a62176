/**
 * Stable codes for requests the core refuses. The core builds plain
 * `{ code, message }` values (it imports no project code but types).
 */
export type RaftErrorCode =
  | "NOT_LEADER"
  | "TRANSFER_IN_PROGRESS"
  | "UNCOMMITTED_LIMIT"
  | "CONF_CHANGE_PENDING"
  | "CONF_CHANGE_TOO_EARLY"
  | "INVALID_CONF_CHANGE"
  | "INVALID_TRANSFER_TARGET"
  | "NOT_A_MEMBER";

/** Thrown when a Raft invariant is violated: a bug or corrupted storage, never user input. */
export class RaftInvariantError extends Error {
  override readonly name = "RaftInvariantError";
}
