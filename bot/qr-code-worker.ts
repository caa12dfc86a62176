/**
 * One worker thread that draws QR codes, so the leader's event loop (Raft
 * ticks, heartbeats, the bot's lease) never waits for PNG encoding. When the
 * thread cannot run, codes are drawn in the calling thread instead.
 */
import { Worker } from "node:worker_threads";
import { renderQrCodePng } from "../cluster/client-config/qr-code.ts";
import { err, ok, type Result } from "../shared/result.ts";
import type { QrCodeAnswer } from "./qr-code-thread.ts";

type Waiter = (answer: QrCodeAnswer) => void;

export class QrCodeWorker {
  private worker: Worker | undefined;
  private workerBroken = false;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiter>();

  /** Codes asked for and not drawn yet. */
  get outstanding(): number {
    return this.waiting.size;
  }

  /** Renders `text` as a PNG QR code (see cluster/client-config/qr-code.ts). */
  async render(text: string): Promise<Result<Buffer, "QR_CODE_FAILED">> {
    const worker = this.ensureWorker();
    if (!worker) return renderQrCodePng(text);
    const id = this.nextId++;
    const answer = await new Promise<QrCodeAnswer>((resolve) => {
      this.waiting.set(id, resolve);
      worker.postMessage({ id, text });
      // Only outstanding work keeps the process alive.
      worker.ref();
    });
    return answer.ok ? ok(Buffer.from(answer.png)) : err("QR_CODE_FAILED", answer.message);
  }

  /**
   * Starts the worker thread ahead of the first code: starting it loads the
   * TypeScript loader and the QR library, most of a second on a busy machine,
   * which a new leader's first reply should not wait for.
   */
  prepare(): void {
    this.ensureWorker();
  }

  /** Stops the worker thread; a later render starts a new one. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
    this.failWaiting("the QR code worker was stopped");
  }

  private failWaiting(message: string): void {
    for (const [id, waiter] of this.waiting) waiter({ id, ok: false, message });
    this.waiting.clear();
  }

  private ensureWorker(): Worker | undefined {
    if (this.worker || this.workerBroken) return this.worker;
    const worker = new Worker(new URL("./qr-code-thread.mjs", import.meta.url));
    worker.unref();
    worker.on("message", (answer: QrCodeAnswer) => {
      const waiter = this.waiting.get(answer.id);
      this.waiting.delete(answer.id);
      if (this.waiting.size === 0) worker.unref();
      waiter?.(answer);
    });
    worker.on("error", (error) => {
      // Fail what was waiting; later codes are drawn in this thread.
      this.workerBroken = true;
      this.worker = undefined;
      this.failWaiting(`the QR code worker failed: ${error.message}`);
    });
    worker.on("exit", () => {
      if (this.worker === worker) this.worker = undefined;
      this.failWaiting("the QR code worker exited");
    });
    this.worker = worker;
    return worker;
  }
}
