/**
 * QR codes of configs, drawn by a small pool of worker threads. One code
 * takes tens of milliseconds of CPU, so one thread draws about 28 a second;
 * a new leader re-sending the configs its predecessor had not confirmed, on
 * top of new requests, needs more than that.
 */
import { availableParallelism } from "node:os";
import type { Result } from "../shared/result.ts";
import { QrCodeWorker } from "./qr-code-worker.ts";

/** Threads in the pool: one per core, at most four. */
const DEFAULT_THREADS = Math.max(1, Math.min(4, availableParallelism()));

export class QrCodeRenderer {
  private readonly workers: QrCodeWorker[];

  constructor(threads = DEFAULT_THREADS) {
    this.workers = Array.from({ length: Math.max(1, threads) }, () => new QrCodeWorker());
  }

  /** Renders `text` as a PNG QR code on the least busy thread. */
  render(text: string): Promise<Result<Buffer, "QR_CODE_FAILED">> {
    const idlest = this.workers.reduce((best, worker) =>
      worker.outstanding < best.outstanding ? worker : best,
    );
    return idlest.render(text);
  }

  /**
   * Starts the threads ahead of the first code: starting one loads the
   * TypeScript loader and the QR library, most of a second on a busy machine,
   * which a new leader's first reply should not wait for.
   */
  prepare(): void {
    for (const worker of this.workers) worker.prepare();
  }

  /** Stops the threads; a later render starts them again. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.close()));
  }
}
