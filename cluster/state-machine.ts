/**
 * The application state that Raft replicates. Every node applies the same
 * committed commands in the same order, so `apply` must be deterministic: no
 * clock, randomness or I/O; what it needs travels in the command.
 */
/** The state version of anything written before versions were stamped: entries, snapshots, joiners. */
export const UNSTAMPED_STATE_VERSION = 1;

export interface StateMachine<Result = unknown> {
  /**
   * The version of the commands this machine applies: their shapes and what
   * they mean. Every entry carries its proposer's version, and a node never
   * applies an entry of a later version than its machine's: it stops instead
   * (StateVersionError), since applying it differently from the nodes that
   * understand it would split the replicated state.
   */
  readonly version: number;
  /**
   * Applies one committed command at `index`. `forwardedBy` is the peer that
   * forwarded it to the leader (authenticated, stamped by the leader), absent
   * when the leader proposed it. A command the machine refuses (malformed,
   * invalid in the current state, or not the forwarder's to propose) changes
   * nothing and returns a result saying why; it must never throw for bad input.
   */
  apply(command: string, index: number, forwardedBy?: string): Result;
  /** The whole state, serialised, as of the last applied command. */
  snapshot(): string;
  /** Replaces the whole state with a snapshot. */
  restore(data: string): void;
}
