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
 * How long a client may take and how many may be connected at once, so a
 * scanner or a slow-loris cannot hold the port: headers must arrive within
 * `headersTimeoutMs`, the whole request within `requestTimeoutMs`, an idle
 * keep-alive connection closes after `keepAliveTimeoutMs`, and connections
 * beyond `maxConnections` are dropped.
 */
export interface ServerLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
}

export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 1024,
};

/**
 * An HTTP server, or HTTPS with `tls`, for `handler`, within `limits`. A
 * request too malformed to parse is answered 400 and its connection closed,
 * so none can take the process down.
 */
export function createHttpOrHttpsServer(
  handler: RequestListener,
  tls: ServerTls | undefined,
  limits: ServerLimits = DEFAULT_SERVER_LIMITS,
): Server {
  const options = {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // Timeouts are enforced when connections are checked: often enough to matter.
    connectionsCheckingInterval: Math.max(100, Math.min(1000, limits.headersTimeoutMs / 2)),
  };
  const server = tls
    ? (createHttpsServer(
        { ...options, cert: tls.cert, key: tls.key },
        handler,
      ) as unknown as Server)
    : createHttpServer(options, handler);
  server.maxConnections = limits.maxConnections;
  server.on("clientError", (error: NodeJS.ErrnoException, socket) => {
    const status =
      error.code === "ERR_HTTP_REQUEST_TIMEOUT" ? "408 Request Timeout" : "400 Bad Request";
    if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
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
