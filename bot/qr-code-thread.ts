/**
 * The QR code worker thread: renders PNGs off the node's event loop. A 640 px
 * code takes tens of milliseconds of CPU; fifty users asking at once would
 * otherwise stall the Raft heartbeats for a second or more.
 */
import { parentPort } from "node:worker_threads";
import { renderQrCodePng } from "../cluster/client-config/qr-code.ts";

/** A request from the main thread. */
export interface QrCodeRequest {
  id: number;
  text: string;
}

/** The answer: the PNG bytes, or why there are none. */
export type QrCodeAnswer =
  | { id: number; ok: true; png: Uint8Array }
  | { id: number; ok: false; message: string };

parentPort?.on("message", async (request: QrCodeRequest) => {
  const rendered = await renderQrCodePng(request.text);
  const answer: QrCodeAnswer = rendered.ok
    ? { id: request.id, ok: true, png: rendered.value }
    : { id: request.id, ok: false, message: rendered.error.message };
  parentPort?.postMessage(answer);
});
