/**
 * Shared pieces for the transport suites: real HTTP servers on loopback port
 * 0, transports wired to recorders, a log capture and a bounded wait.
 */
import { createServer, type Server } from "node:http";
import type { Server as HttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { type Logger, pino } from "pino";
import {
  generateNodeIdentity,
  type NodeIdentity,
} from "../../../cluster/identity/node-identity.ts";
import type { Message, NodeId } from "../../../cluster/raft/types.ts";
import { PeerKeyBook } from "../../../cluster/transport/peer-key-book.ts";
import {
  PeerTransport,
  type PeerTransportOptions,
} from "../../../cluster/transport/peer-transport.ts";
import { committedKeys } from "./committed-keys.ts";

export const CLUSTER_SECRET = "cluster-secret-for-tests-0123456789abcdef";

import { sleep } from "../../../shared/sleep.ts";

export { sleep };

/** Polls `condition` every few milliseconds; fails the test after `timeoutMs`. */
export async function waitFor(
  condition: () => boolean,
  what: string,
  timeoutMs = 3000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await sleep(5);
  }
}

export type LogLine = { level: number; msg: string } & Record<string, unknown>;

/** A debug-level pino logger that keeps every line for assertions. */
export function captureLogs(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = pino(
    { level: "debug" },
    { write: (line: string) => lines.push(JSON.parse(line) as LogLine) },
  );
  return { logger, lines };
}

/** A heartbeat: the smallest valid message, numbered through `index` to check order. */
export function heartbeat(from: NodeId, to: NodeId, index = 0, context?: string): Message {
  const message: Message = { type: "heartbeat", from, to, term: 1, index, commit: 0 };
  if (context !== undefined) message.context = context;
  return message;
}

export async function listen(server: Server | HttpsServer, port = 0): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

export async function closeServer(server: Server | HttpsServer): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** Everything a transport reported through its events, in order. */
export interface RecordedEvents {
  handshakeRejected: string[];
  frameRejected: Array<{ peer: NodeId | undefined; reason: string }>;
  connected: NodeId[];
  disconnected: NodeId[];
  dropped: Array<{ peer: NodeId; count: number }>;
}

export interface TestNode {
  id: NodeId;
  port: number;
  url: string;
  server: Server | HttpsServer;
  transport: PeerTransport;
  identity: NodeIdentity;
  /** The committed identity keys this node's key book sees; tests pin and revoke here. */
  pins: Map<NodeId, string>;
  revoked: Set<string>;
  received: Array<{ from: NodeId; messages: Message[] }>;
  events: RecordedEvents;
  logs: LogLine[];
  /** `/raft` upgrade requests this node's server has seen. */
  raftUpgrades: number;
  /** Messages received from `from`, flattened across batches. */
  messagesFrom(from: NodeId): Message[];
  droppedFor(peer: NodeId): number;
  isConnectedTo(peer: NodeId): boolean;
  stop(): Promise<void>;
}

/** Fast reconnects and short timeouts so the suites stay quick. */
const FAST: Partial<PeerTransportOptions> = {
  reconnectMinDelayMs: 10,
  reconnectMaxDelayMs: 100,
  handshakeTimeoutMs: 1000,
};

/** Builds a transport on an already listening server and starts it. */
export function createNode(
  id: NodeId,
  server: Server | HttpsServer,
  port: number,
  peers: ReadonlyMap<NodeId, string>,
  overrides: Partial<PeerTransportOptions> = {},
): TestNode {
  const { logger, lines } = captureLogs();
  const identity = overrides.identity ?? generateNodeIdentity();
  const pins = new Map<NodeId, string>();
  const revoked = new Set<string>();
  const received: TestNode["received"] = [];
  const events: RecordedEvents = {
    handshakeRejected: [],
    frameRejected: [],
    connected: [],
    disconnected: [],
    dropped: [],
  };
  const transport = new PeerTransport({
    nodeId: id,
    identity,
    keyBook: new PeerKeyBook(() => committedKeys(pins, revoked)),
    clusterSecret: CLUSTER_SECRET,
    peers,
    logger,
    onMessages: (from, messages) => received.push({ from, messages }),
    events: {
      handshakeRejected: (reason) => events.handshakeRejected.push(reason),
      frameRejected: (peer, reason) => events.frameRejected.push({ peer, reason }),
      peerConnected: (peer) => events.connected.push(peer),
      peerDisconnected: (peer) => events.disconnected.push(peer),
      messagesDropped: (peer, count) => events.dropped.push({ peer, count }),
    },
    ...FAST,
    ...overrides,
  });
  const node: TestNode = {
    id,
    port,
    url: `ws://127.0.0.1:${port}`,
    server,
    transport,
    identity,
    pins,
    revoked,
    received,
    events,
    logs: lines,
    raftUpgrades: 0,
    messagesFrom: (from) =>
      received.filter((batch) => batch.from === from).flatMap((batch) => batch.messages),
    droppedFor: (peer) =>
      events.dropped.filter((drop) => drop.peer === peer).reduce((sum, d) => sum + d.count, 0),
    isConnectedTo: (peer) =>
      transport.peerStates().some((state) => state.id === peer && state.connected),
    stop: async () => {
      await transport.close();
      await closeServer(server);
    },
  };
  server.on("upgrade", (request) => {
    if (request.url === "/raft") node.raftUpgrades += 1;
  });
  transport.attach(server);
  transport.start();
  return node;
}

/** Starts one node per id, each knowing every other's URL. */
export async function startCluster(
  ids: readonly NodeId[],
  overrides: Partial<PeerTransportOptions> = {},
): Promise<TestNode[]> {
  const servers = await Promise.all(
    ids.map(async (id) => {
      const server = createServer();
      return { id, server, port: await listen(server) };
    }),
  );
  const peers = new Map(servers.map(({ id, port }) => [id, `ws://127.0.0.1:${port}`]));
  return servers.map(({ id, server, port }) => createNode(id, server, port, peers, overrides));
}

export async function waitForMesh(nodes: readonly TestNode[]): Promise<void> {
  await waitFor(
    () => nodes.every((a) => nodes.every((b) => a === b || a.isConnectedTo(b.id))),
    "every node connected to every other",
  );
}

export async function stopAll(nodes: readonly TestNode[]): Promise<void> {
  await Promise.all(nodes.map((node) => node.stop()));
}

/**
 * Starts one node per id, waits until they are all connected, runs `body`
 * with them and always stops them.
 */
export async function withMesh(
  ids: readonly NodeId[],
  overrides: Partial<PeerTransportOptions>,
  body: (nodes: TestNode[]) => Promise<void>,
): Promise<void>;
export async function withMesh(
  ids: readonly NodeId[],
  body: (nodes: TestNode[]) => Promise<void>,
): Promise<void>;
export async function withMesh(
  ids: readonly NodeId[],
  overridesOrBody: Partial<PeerTransportOptions> | ((nodes: TestNode[]) => Promise<void>),
  maybeBody?: (nodes: TestNode[]) => Promise<void>,
): Promise<void> {
  const overrides = typeof overridesOrBody === "function" ? {} : overridesOrBody;
  const body = typeof overridesOrBody === "function" ? overridesOrBody : maybeBody!;
  const nodes = await startCluster(ids, overrides);
  try {
    await waitForMesh(nodes);
    await body(nodes);
  } finally {
    await stopAll(nodes);
  }
}
