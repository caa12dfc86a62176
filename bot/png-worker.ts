/**
 * One worker thread that draws PNGs (QR codes, charts), so the leader's event
 * loop (Raft ticks, heartbeats, the bot's lease) never waits for drawing or
 * PNG encoding. When the thread cannot run, pictures are drawn in the calling
 * thread instead.
 */
import { Worker } from "node:worker_threads";
import { err, ok, type Result } from "../shared/result.ts";
import type { PngAnswer } from "./png-thread.ts";

type Waiter = (answer: PngAnswer) => void;

/** How a kind of picture is drawn. */
export interface PngWorkerOptions<Input, Code extends string> {
  /** The thread's entry (an .mjs that registers the TypeScript loader, see qr-code-thread.mjs). */
  threadUrl: URL;
  /** What the pictures are, for error messages: "QR code", "chart". */
  what: string;
  /** The error code of a picture that could not be drawn. */
  failureCode: Code;
  /** Draws in this thread, when the worker thread cannot run. */
  renderHere: (input: Input) => Promise<Result<Buffer, Code>> | Result<Buffer, Code>;
}

export class PngWorker<Input, Code extends string> {
  private worker: Worker | undefined;
  private workerBroken = false;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiter>();

  constructor(private readonly options: PngWorkerOptions<Input, Code>) {}

  /** Pictures asked for and not drawn yet. */
  get outstanding(): number {
    return this.waiting.size;
  }

  /** Draws the picture of `input` on the worker thread. */
  async render(input: Input): Promise<Result<Buffer, Code>> {
    const worker = this.ensureWorker();
    if (!worker) return this.options.renderHere(input);
    const id = this.nextId++;
    const answer = await new Promise<PngAnswer>((resolve) => {
      this.waiting.set(id, resolve);
      worker.postMessage({ id, input });
      // Only outstanding work keeps the process alive.
      worker.ref();
    });
    return answer.ok ? ok(Buffer.from(answer.png)) : err(this.options.failureCode, answer.message);
  }

  /**
   * Starts the worker thread ahead of the first picture: starting it loads the
   * TypeScript loader and the drawing library, most of a second on a busy
   * machine, which a new leader's first reply should not wait for.
   */
  prepare(): void {
    this.ensureWorker();
  }

  /** Stops the worker thread; a later render starts a new one. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
    this.failWaiting(`the ${this.options.what} worker was stopped`);
  }

  private failWaiting(message: string): void {
    for (const [id, waiter] of this.waiting) waiter({ id, ok: false, message });
    this.waiting.clear();
  }

  private ensureWorker(): Worker | undefined {
    if (this.worker || this.workerBroken) return this.worker;
    const worker = new Worker(this.options.threadUrl);
    worker.unref();
    worker.on("message", (answer: PngAnswer) => {
      const waiter = this.waiting.get(answer.id);
      this.waiting.delete(answer.id);
      if (this.waiting.size === 0) worker.unref();
      waiter?.(answer);
    });
    worker.on("error", (error) => {
      // Fail what was waiting; later pictures are drawn in this thread.
      this.workerBroken = true;
      this.worker = undefined;
      this.failWaiting(`the ${this.options.what} worker failed: ${error.message}`);
    });
    worker.on("exit", () => {
      if (this.worker === worker) this.worker = undefined;
      this.failWaiting(`the ${this.options.what} worker exited`);
    });
    this.worker = worker;
    return worker;
  }
}
