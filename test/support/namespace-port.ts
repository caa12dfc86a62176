/**
 * A TCP port inside a test network's namespace, reachable from this process
 * at 127.0.0.1: a relay inside the namespace listens on a Unix socket
 * (socket-relay.ts) and a loopback listener here pipes each connection into
 * it. Nothing is added to the host's interfaces or routes.
 */
import { connect, createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { listenOnLoopback } from "../shared/probe/support/loopback-server.ts";
import { startScriptInNamespace } from "./namespace-process.ts";

const relayScript = fileURLToPath(new URL("./socket-relay.ts", import.meta.url));

export interface ForwardedPort {
  /** The loopback port in this process's namespace. */
  port: number;
  /** Stops the loopback listener and the relay. */
  close(): Promise<void>;
}

/**
 * Forwards 127.0.0.1:<returned port> here to `target` as seen from inside
 * `namespace`, through the Unix socket at `socketPath` (which must not exist).
 */
export async function forwardNamespacePort(
  namespace: string,
  target: { host: string; port: number },
  socketPath: string,
): Promise<ForwardedPort> {
  const relay = startScriptInNamespace(namespace, relayScript, [
    socketPath,
    target.host,
    String(target.port),
  ]);
  try {
    await relay.waitForOutput(/relaying/, 20_000);
  } catch (error) {
    await relay.stop();
    throw error;
  }
  const listener = await listenOnLoopback(
    createServer((incoming) => {
      const outgoing = connect(socketPath);
      incoming.pipe(outgoing).pipe(incoming);
      incoming.on("error", () => outgoing.destroy());
      outgoing.on("error", () => incoming.destroy());
      incoming.on("close", () => outgoing.destroy());
      outgoing.on("close", () => incoming.destroy());
    }),
  );
  return {
    port: listener.port,
    async close() {
      await listener.close();
      await relay.stop();
    },
  };
}
