/**
 * A replicated key-value store under benchmark, NexaLoak or etcd, behind one
 * interface so both are loaded, killed and measured exactly the same way:
 * the same HTTP client, the same keep-alive agents, the same clocks.
 */
import type { Agent } from "node:http";
import type { SystemProcess } from "./process-cpu.ts";

export interface KvSystem {
  /** Shown in result tables, e.g. `nexaloak (hb 50, et 300)`. */
  readonly label: string;
  /** Number of members, indexed 0..size-1. */
  readonly size: number;
  isRunning(member: number): boolean;
  /**
   * One write of `value` under `key` through `member`; true once the system
   * acknowledged it as committed, false on any error or after `timeoutMs`.
   */
  put(
    member: number,
    key: string,
    value: string,
    agent: Agent,
    timeoutMs: number,
  ): Promise<boolean>;
  /** The member every running member agrees is leader; throws after `timeoutMs`. */
  leader(timeoutMs: number): Promise<number>;
  /** SIGKILL, as a crash would, and waits for the exit. */
  kill(member: number): Promise<void>;
  /**
   * SIGSTOP freezes a member with its sockets still open, as a hung machine or
   * a silent network would; SIGCONT thaws it.
   */
  signal(member: number, signal: "SIGSTOP" | "SIGCONT"): void;
  /** Starts a killed member again on its own data and waits until it serves. */
  restart(member: number): Promise<void>;
  /** Waits until every member runs, agrees on the leader and has caught up with it. */
  waitHealthy(timeoutMs: number): Promise<void>;
  /** Every process of the system (members, and storage servers if any), for CPU accounting. */
  processes(): SystemProcess[];
  /** Stops every process and removes every temp dir. */
  stop(): Promise<void>;
}
