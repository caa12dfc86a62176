/**
 * The worker-thread side of a PNG renderer (png-worker.ts): answers each
 * request with the PNG bytes or why there are none, off the node's event loop.
 */
import { parentPort } from "node:worker_threads";
import type { Result } from "../shared/result.ts";

/** A request from the main thread. */
export interface PngRequest<Input> {
  id: number;
  input: Input;
}

/** The answer: the PNG bytes, or why there are none. */
export type PngAnswer =
  | { id: number; ok: true; png: Uint8Array }
  | { id: number; ok: false; message: string };

/** Serves requests posted to this worker thread with `render`. */
export function servePngRequests<Input>(
  render: (input: Input) => Promise<Result<Buffer, string>> | Result<Buffer, string>,
): void {
  parentPort?.on("message", async (request: PngRequest<Input>) => {
    const rendered = await render(request.input);
    const answer: PngAnswer = rendered.ok
      ? { id: request.id, ok: true, png: rendered.value }
      : { id: request.id, ok: false, message: rendered.error.message };
    parentPort?.postMessage(answer);
  });
}
