/**
 * Runs everything that only the leader does (the bot session, outbox
 * delivery, ban-check scheduling, the expiry sweep, ...) under one
 * mechanism: when the node gains leadership every task starts its term with
 * one AbortSignal; when leadership ends that signal aborts and every task
 * winds down. A new term's tasks start only once the previous term's have
 * all finished, so no task ever runs twice at once on one node.
 */
import { setMaxListeners } from "node:events";
import type { Logger } from "../shared/logger.ts";
import { sleep } from "../shared/sleep.ts";
import type { LeadershipChange } from "./node.ts";

/** One kind of leader-only work. */
export interface LeaderTask {
  /** For logs: what failed. */
  readonly name: string;
  /**
   * Does the task's work for one term of leadership and resolves once it has
   * wound down after `signal` aborted (or earlier, when there is nothing
   * more to do). A rejection is logged; it does not stop the other tasks.
   */
  runTerm(signal: AbortSignal): Promise<void>;
}

/**
 * The term of a periodic leader task: `pass` now and then every
 * `intervalMs` until `signal` aborts. A pass that fails is logged as
 * `failure` and tried again at the next interval.
 */
export async function passEachInterval(
  signal: AbortSignal,
  options: { intervalMs: number; logger: Logger; failure: string },
  pass: () => Promise<void>,
): Promise<void> {
  while (!signal.aborted) {
    try {
      await pass();
    } catch (error) {
      if (!signal.aborted) options.logger.warn({ err: (error as Error).message }, options.failure);
    }
    await sleep(options.intervalMs, signal);
  }
}

export interface LeadershipRunnerOptions {
  node: {
    onLeadershipChange(listener: (change: LeadershipChange) => void): () => void;
    isLeader(): boolean;
  };
  tasks: readonly LeaderTask[];
  logger: Logger;
}

export class LeadershipRunner {
  private term: AbortController | undefined;
  /** The running (or last) term's tasks, settled once all have wound down. */
  private termDone: Promise<void> = Promise.resolve();
  /** When the running term's tasks may start: once the previous term's have wound down. */
  private termStart: Promise<void> = Promise.resolve();
  private unsubscribe: (() => void) | undefined;
  private readonly tasks: LeaderTask[];

  constructor(private readonly options: LeadershipRunnerOptions) {
    this.tasks = [...options.tasks];
  }

  /** Follows the node's leadership from now on, and starts a term at once if it leads already. */
  start(): void {
    if (this.unsubscribe) return;
    this.unsubscribe = this.options.node.onLeadershipChange(({ isLeader }) => {
      if (isLeader) this.lead();
      else this.follow();
    });
    if (this.options.node.isLeader()) this.lead();
  }

  /**
   * Adds a task: it runs from the next term on, and from now when a term is
   * running (for fixtures that start a kind of work later than the others).
   */
  add(task: LeaderTask): void {
    this.tasks.push(task);
    const term = this.term;
    if (!term) return;
    const running = this.termStart.then(() => this.runTask(task, term.signal));
    this.termDone = Promise.all([this.termDone, running]).then(() => undefined);
  }

  /** Whether a term runs (or is starting) on this node now. */
  get leading(): boolean {
    return this.term !== undefined;
  }

  /** Stops following leadership, ends the running term and waits for its tasks. */
  async close(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.follow();
    await this.termDone;
  }

  private lead(): void {
    if (this.term) return;
    const term = new AbortController();
    // Every task, and everything each one runs, listens for the term's end.
    setMaxListeners(0, term.signal);
    this.term = term;
    const previous = this.termDone;
    const tasks = [...this.tasks];
    this.termStart = previous;
    this.termDone = previous.then(() =>
      Promise.all(tasks.map((task) => this.runTask(task, term.signal))).then(() => undefined),
    );
  }

  private async runTask(task: LeaderTask, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    try {
      await task.runTerm(signal);
    } catch (error) {
      this.options.logger.error(
        { task: task.name, err: error instanceof Error ? error.message : String(error) },
        "a leader task failed",
      );
    }
  }

  private follow(): void {
    const term = this.term;
    if (!term) return;
    this.term = undefined;
    term.abort();
  }
}
