/** Small helpers for the emulator's HTTP answers. */
import type { ServerResponse } from "node:http";

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  if (response.headersSent || response.destroyed) return;
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
  });
  response.end(text);
}

export function sendBytes(
  response: ServerResponse,
  bytes: Buffer,
  headers: Record<string, string>,
): void {
  response.writeHead(200, { ...headers, "content-length": bytes.length });
  response.end(bytes);
}

/**
 * A signal that aborts when the client goes away before the answer is sent:
 * how a long poll learns that its caller gave up.
 */
export function clientGoneSignal(response: ServerResponse): AbortSignal {
  const controller = new AbortController();
  response.on("close", () => {
    if (!response.writableFinished) controller.abort(new Error("the client closed the connection"));
  });
  return controller.signal;
}
