/** Answering an HTTP request with JSON. */
import type { ServerResponse } from "node:http";

/** A status with a body to send as JSON, and any extra headers. */
export interface JsonResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/**
 * Sends `answer`; nothing when the client has already gone. A body of bytes
 * (a file to download) goes as it is, with the headers the answer gives.
 */
export function writeJson(response: ServerResponse, answer: JsonResponse): void {
  if (response.destroyed) return;
  if (answer.body instanceof Uint8Array) {
    response.writeHead(answer.status, {
      "Content-Type": "application/octet-stream",
      "Content-Length": answer.body.length,
      ...answer.headers,
    });
    response.end(answer.body);
    return;
  }
  const body = JSON.stringify(answer.body);
  response.writeHead(answer.status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(body),
    ...answer.headers,
  });
  response.end(body);
}
