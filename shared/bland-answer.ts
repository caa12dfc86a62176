import type { ServerResponse } from "node:http";

/**
 * What an untrusted client gets for anything it may not see: the 404 any web
 * server gives, naming nothing.
 */
export function writeBlandNotFound(response: ServerResponse): void {
  response.writeHead(404, { "Content-Type": "text/plain; charset=utf-8", "Content-Length": "9" });
  response.end("Not Found");
}
