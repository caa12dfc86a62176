/**
 * An agent's work, one task at a time in the order given: a sync, a retire
 * or a stop never overlaps another. Tasks return their errors as values; one
 * that throws anyway is a bug, logged, and the queue goes on.
 */
import type { Logger } from "../../shared/logger.ts";

export class SerialTasks {
  private work: Promise<void> = Promise.resolve();

  constructor(
    private readonly logger: Logger,
    /** Names the agent in the log line of a task that threw. */
    private readonly agentName: string,
    /** Tasks queued while this is false are skipped when their turn comes. */
    private readonly running: () => boolean,
  ) {}

  enqueue(task: () => Promise<void>): void {
    this.work = this.work.then(async () => {
      if (!this.running()) return;
      try {
        await task();
      } catch (error) {
        this.logger.error({ err: error }, `${this.agentName} task threw`);
      }
    });
  }

  /** Resolves once every task queued so far has run (or been skipped). */
  drained(): Promise<void> {
    return this.work;
  }
}
