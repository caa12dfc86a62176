/**
 * TCP across a test network's namespace boundary, through a Unix socket
 * (socket-relay.ts): a port inside a namespace reachable from this process
 * at 127.0.0.1, or a port of this process's loopback reachable from inside
 * namespaces. Nothing is added to the host's interfaces or routes.
 */
import { connect, createServer, type Server, type Socket } from "node:net";
import { fileURLToPath } from "node:url";
import { listenOnLoopback } from "../shared/probe/support/loopback-server.ts";
import { joinSockets } from "./join-sockets.ts";
import { type NamespaceProcess, startScriptInNamespace } from "./namespace-process.ts";

const relayScript = fileURLToPath(new URL("./socket-relay.ts", import.meta.url));
const RELAY_START_MS = 20_000;

export interface ForwardedPort {
  /** The loopback port in this process's namespace. */
  port: number;
  /** Stops the loopback listener and the relay. */
  close(): Promise<void>;
}

/** A relay in `namespace` from `listen` to `connectTo` (socket-relay.ts), once it listens. */
async function startRelay(
  namespace: string,
  listen: string,
  connectTo: string,
): Promise<NamespaceProcess> {
  const relay = startScriptInNamespace(namespace, relayScript, [listen, connectTo]);
  try {
    await relay.waitForOutput(/relaying/, RELAY_START_MS);
  } catch (error) {
    await relay.stop();
    throw error;
  }
  return relay;
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
  const relay = await startRelay(namespace, socketPath, `${target.host}:${target.port}`);
  const listener = await listenOnLoopback(
    createServer((incoming) => joinSockets(incoming, connect(socketPath))),
  );
  return {
    port: listener.port,
    async close() {
      await listener.close();
      await relay.stop();
    },
  };
}

export interface ExposedPort {
  /** Stops the relays and the socket's listener. */
  close(): Promise<void>;
}

/**
 * Makes 127.0.0.1:`hostPort` of this process reachable from inside each of
 * `namespaces` at 127.0.0.1:`namespacePort`, through the Unix socket at
 * `socketPath` (which must not exist).
 */
export async function exposeToNamespaces(
  hostPort: number,
  namespaces: readonly string[],
  namespacePort: number,
  socketPath: string,
): Promise<ExposedPort> {
  const connections = new Set<Socket>();
  const listener: Server = createServer((incoming) => {
    connections.add(incoming);
    incoming.on("close", () => connections.delete(incoming));
    joinSockets(incoming, connect(hostPort, "127.0.0.1"));
  });
  await new Promise<void>((resolve) => listener.listen(socketPath, resolve));
  const relays: NamespaceProcess[] = [];
  const close = async () => {
    for (const relay of relays.splice(0)) await relay.stop();
    // A long poll in flight would keep the listener open.
    for (const connection of connections) connection.destroy();
    await new Promise<void>((resolve) => listener.close(() => resolve()));
  };
  try {
    for (const namespace of namespaces)
      relays.push(await startRelay(namespace, `127.0.0.1:${namespacePort}`, socketPath));
  } catch (error) {
    await close();
    throw error;
  }
  return { close };
}
