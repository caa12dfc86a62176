/**
 * The one HTTP port of a NexaLoak process (a node, a probe agent): served
 * over HTTPS when it has a certificate, and opened with an error the caller
 * can report instead of a crash.
 */
import { createServer as createHttpServer, type RequestListener, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";

/** PEM certificate and key. */
export interface ServerTls {
  cert: string | Buffer;
  key: string | Buffer;
}

/**
 * An HTTP server, or HTTPS with `tls`, for `handler`. A request too malformed
 * to parse is answered 400 and its connection closed, so none can take the
 * process down.
 */
export function createHttpOrHttpsServer(
  handler: RequestListener,
  tls: ServerTls | undefined,
): Server {
  const server = tls
    ? (createHttpsServer({ cert: tls.cert, key: tls.key }, handler) as unknown as Server)
    : createHttpServer(handler);
  server.on("clientError", (_error, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
    else socket.destroy();
  });
  return server;
}

/** Resolves once `server` listens on host:port; rejects with why it cannot (EADDRINUSE, EACCES…). */
export function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}
