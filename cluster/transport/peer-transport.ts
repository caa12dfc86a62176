/**
 * Raft messages between cluster members over WebSockets: one socket per pair
 * of nodes on the node's single port (path `/raft`), authenticated by both
 * node identities and encrypted with keys from the handshake whether the URL
 * says ws:// or wss://, used in both directions. The lower id dials, with jittered exponential back-off
 * while the peer is unreachable. Outgoing messages are batched per peer into
 * one frame per event-loop turn, and dropped (and counted) rather than queued
 * without bound when a peer is down or slow: Raft retransmits what matters.
 *
 * The handshake is in handshake.ts, the wire format in frame.ts, and one
 * socket's protocol in connection.ts; this class owns membership, dialing,
 * batching and the lifecycle of all sockets.
 */
import type { Server as HttpServer, IncomingMessage } from "node:http";
import type { Server as HttpsServer } from "node:https";
import type { Duplex } from "node:stream";
import type { Logger } from "pino";
import { WebSocket, WebSocketServer } from "ws";
import { backoffDelayMs } from "../../shared/backoff.ts";
import { normalizeAddress } from "../../shared/ip-address.ts";
import type { NodeIdentity } from "../identity/node-identity.ts";
import type { Message, NodeId } from "../raft/types.ts";
import {
  CloseCode,
  type ConnectionHandlers,
  type ConnectionSettings,
  PeerConnection,
} from "./connection.ts";
import {
  encodeMessage,
  MAX_HANDSHAKE_FRAME_BYTES,
  maxMessageBytes,
  packMessageFrames,
} from "./frame.ts";
import { type Authenticated, isDialerFor } from "./handshake.ts";
import type { PeerKeyBook } from "./peer-key-book.ts";
import { RAFT_PATH, raftUrl, requestPath } from "./peer-url.ts";
import { SendQueue } from "./send-queue.ts";
import { TAG_BYTES } from "./session-cipher.ts";

/** Shortest cluster secret accepted: 32 characters, as the environment requires. */
export const MIN_CLUSTER_SECRET_LENGTH = 32;

/**
 * Hooks for metrics (the node wires them to prom-client). Reasons are the
 * stable codes of `HandshakeErrorCode` and `FrameErrorCode`.
 */
export interface PeerTransportEvents {
  /** A handshake failed: forged, replayed, unknown or wrong peer, or too slow. */
  handshakeRejected?(reason: string): void;
  /** A received frame was invalid and its connection closed; `peer` is undefined before authentication. */
  frameRejected?(peer: NodeId | undefined, reason: string): void;
  peerConnected?(peer: NodeId): void;
  peerDisconnected?(peer: NodeId): void;
  /** Messages for `peer` were discarded: no connection, buffers full, or too large for a frame. */
  messagesDropped?(peer: NodeId, count: number): void;
}

export interface PeerTransportOptions {
  /**
   * What to do with an upgrade request for another path than /raft: `refuse`
   * (default: nothing else upgrades on a node's port) answers 404 and closes
   * it, which otherwise stays open for ever; `leave` lets the server's own
   * upgrade handlers take it.
   */
  otherUpgrades?: "refuse" | "leave";
  nodeId: NodeId;
  /** This node's identity key pair: what the handshake proves. */
  identity: NodeIdentity;
  /** Which key each member must prove; first-contact keys are remembered here. */
  keyBook: PeerKeyBook;
  /**
   * The enrollment credential: admits a member's key on first contact until
   * the cluster has pinned it. At least {@link MIN_CLUSTER_SECRET_LENGTH} characters.
   */
  clusterSecret: string;
  /** Every member's address (`ws://host:port` or `wss://host:port`, `/raft` implied); self is ignored. */
  peers: ReadonlyMap<NodeId, string>;
  logger: Logger;
  /** Receives each validated batch from an authenticated peer. Must not throw. */
  onMessages: (from: NodeId, messages: Message[]) => void;
  events?: PeerTransportEvents;
  /**
   * Largest frame sent or accepted from an authenticated peer (strangers
   * are cut off long before, see MAX_UNAUTHENTICATED_BYTES). Default 512 MiB:
   * a snapshot of the whole state travels as one message.
   */
  maxFrameBytes?: number;
  /** Bytes queued plus unwritten by the socket, per peer, beyond which messages are dropped. Default 16 MiB. */
  maxBufferedBytesPerPeer?: number;
  /** First reconnect delay. Default 50 ms. */
  reconnectMinDelayMs?: number;
  /** Longest reconnect delay. Default 2000 ms. */
  reconnectMaxDelayMs?: number;
  /** Time allowed from connect to a finished handshake, on either side. Default 5000 ms. */
  handshakeTimeoutMs?: number;
  /**
   * Unauthenticated inbound sockets allowed at once; more are refused with
   * HTTP 503, except from addresses members connected from before (and the
   * literal IPs in member URLs): strangers cannot crowd members out. Default 64.
   */
  maxPendingHandshakes?: number;
  /** Unauthenticated inbound sockets allowed at once from one source address. Default 4. */
  maxPendingHandshakesPerAddress?: number;
  /** Time an inbound socket has to send its hello before it is cut off. Default 1000 ms. */
  helloTimeoutMs?: number;
  /** Ping interval; a peer that misses one pong is disconnected. Default 3000 ms. */
  keepaliveIntervalMs?: number;
  /** Client side of `wss://` peers: the CA that signed the peers' certificates. */
  tls?: { ca?: string | Buffer; rejectUnauthorized?: boolean };
  /** Jitter source in [0, 1) for reconnect delays. Default Math.random. */
  random?: () => number;
}

/** One member as seen from this node, for status pages and metrics. */
export interface PeerState {
  id: NodeId;
  url: string;
  connected: boolean;
  remoteAddress?: string;
  /** Bytes waiting to go to this peer: queued for the next flush plus unwritten by the socket. */
  bufferedBytes: number;
  /** The identity key the peer proved on the current connection. */
  publicKey?: string;
}

/** Dialing state for a peer this node is responsible for connecting to. */
interface Dialer {
  attempt: number;
  /** Whether this outage was reported at warn level yet. */
  warned: boolean;
  connection: PeerConnection | undefined;
  retryTimer: NodeJS.Timeout | undefined;
}

interface Attachment {
  server: HttpServer | HttpsServer;
  listener: (request: IncomingMessage, socket: Duplex, head: Buffer) => void;
}

/** For this long after start, failed dials to peers (starting too) are logged at debug level. */
const STARTUP_QUIET_MS = 5000;

/** How long close() waits for a peer to answer a close frame before cutting the socket. */
const SHUTDOWN_GRACE_MS = 1000;

function withoutSelf(peers: ReadonlyMap<NodeId, string>, selfId: NodeId): Map<NodeId, string> {
  return new Map([...peers].filter(([peerId]) => peerId !== selfId));
}

/** What an acceptor reads before authentication: three handshake frames with their headers, and room to spare. */
const MAX_UNAUTHENTICATED_BYTES = 4 * MAX_HANDSHAKE_FRAME_BYTES;

/** The host of a member URL when it is a literal IP address (as sockets report it), else undefined. */
function literalIpOf(url: string): string | undefined {
  try {
    return normalizeAddress(new URL(url).hostname.replace(/^\[|\]$/g, "")) ?? undefined;
  } catch {
    return undefined;
  }
}

/** Answers an upgrade request with `status` and closes the socket once the answer is out. */
function refuseUpgrade(socket: Duplex, status: string): void {
  // A client that vanishes mid-answer must not take the process down with it.
  socket.on("error", () => socket.destroy());
  if (socket.writableEnded || socket.destroyed) return;
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () =>
    socket.destroy(),
  );
}

export class PeerTransport {
  private peers: Map<NodeId, string>;
  /** The one authenticated connection per peer that messages go through. */
  private readonly connections = new Map<NodeId, PeerConnection>();
  /** Every socket not yet closed, authenticated or not, so close() can end them all. */
  private readonly live = new Set<PeerConnection>();
  /** Inbound sockets still in the handshake. */
  private readonly handshaking = new Set<PeerConnection>();
  private readonly dialers = new Map<NodeId, Dialer>();
  private readonly queues = new Map<NodeId, SendQueue>();
  private readonly attachments: Attachment[] = [];
  private readonly acceptor: WebSocketServer;
  private readonly settings: ConnectionSettings;
  private readonly handlers: ConnectionHandlers;
  private readonly events: PeerTransportEvents;
  private readonly logger: Logger;
  private readonly maxFrameBytes: number;
  private readonly maxBufferedBytesPerPeer: number;
  private readonly maxPendingHandshakes: number;
  private readonly maxPendingHandshakesPerAddress: number;
  /** Where members connected from before: they keep room when strangers fill the pre-auth slots. */
  private readonly memberAddresses = new Set<string>();
  private readonly reconnectMinDelayMs: number;
  private readonly reconnectMaxDelayMs: number;
  private readonly random: () => number;
  private started = false;
  /** Set the moment close() is called, before any socket is touched. */
  private stopped = false;
  private readonly startedAtMs = performance.now();
  private flushScheduled = false;
  private closing: Promise<void> | undefined;

  /** Throws a RangeError for a configuration no cluster can run with (short secret, tiny frames). */
  constructor(private readonly options: PeerTransportOptions) {
    if (options.clusterSecret.length < MIN_CLUSTER_SECRET_LENGTH) {
      throw new RangeError(
        `the cluster secret must be at least ${MIN_CLUSTER_SECRET_LENGTH} characters`,
      );
    }
    this.maxFrameBytes = options.maxFrameBytes ?? 512 * 1024 * 1024;
    if (this.maxFrameBytes < MAX_HANDSHAKE_FRAME_BYTES) {
      throw new RangeError(`maxFrameBytes must be at least ${MAX_HANDSHAKE_FRAME_BYTES}`);
    }
    this.maxBufferedBytesPerPeer = options.maxBufferedBytesPerPeer ?? 16 * 1024 * 1024;
    this.maxPendingHandshakes = options.maxPendingHandshakes ?? 64;
    this.maxPendingHandshakesPerAddress = options.maxPendingHandshakesPerAddress ?? 4;
    this.reconnectMinDelayMs = options.reconnectMinDelayMs ?? 50;
    this.reconnectMaxDelayMs = options.reconnectMaxDelayMs ?? 2000;
    if (this.reconnectMinDelayMs < 1 || this.reconnectMaxDelayMs < this.reconnectMinDelayMs) {
      throw new RangeError("reconnect delays need 1 <= reconnectMinDelayMs <= reconnectMaxDelayMs");
    }
    this.random = options.random ?? Math.random;
    this.events = options.events ?? {};
    this.logger = options.logger.child({ component: "transport", nodeId: options.nodeId });
    this.peers = withoutSelf(options.peers, options.nodeId);
    for (const url of this.peers.values()) {
      const host = literalIpOf(url);
      if (host !== undefined) this.memberAddresses.add(host);
    }
    this.acceptor = new WebSocketServer({
      noServer: true,
      maxPayload: this.maxFrameBytes + TAG_BYTES,
      perMessageDeflate: false,
      clientTracking: false,
    });
    this.settings = {
      selfId: options.nodeId,
      identity: options.identity,
      keys: options.keyBook,
      clusterSecret: options.clusterSecret,
      isPeer: (peerId) => this.peers.has(peerId),
      handshakeTimeoutMs: options.handshakeTimeoutMs ?? 5000,
      helloTimeoutMs: options.helloTimeoutMs ?? 1000,
      keepaliveIntervalMs: options.keepaliveIntervalMs ?? 3000,
      logger: this.logger,
    };
    this.handlers = {
      authenticated: (connection, peer) => this.adopt(connection, peer),
      messages: (from, messages) => options.onMessages(from, messages),
      closed: (connection) => this.release(connection),
      handshakeRejected: (reason) => this.events.handshakeRejected?.(reason),
      frameRejected: (peer, reason) => this.events.frameRejected?.(peer, reason),
    };
  }

  /**
   * Serves `/raft` WebSocket upgrades on the node's HTTP(S) server. Upgrades
   * for other paths are left to other listeners; plain requests are untouched.
   */
  attach(server: HttpServer | HttpsServer): void {
    const listener = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
      if (requestPath(request.url) !== RAFT_PATH) {
        if (this.options.otherUpgrades !== "leave") refuseUpgrade(socket, "404 Not Found");
        return;
      }
      if (this.stopped) {
        socket.destroy();
        return;
      }
      const crowded = this.preAuthCrowding(request.socket.remoteAddress);
      if (crowded !== undefined) {
        this.logger.warn(
          { remote: request.socket.remoteAddress, pending: this.handshaking.size },
          `too many unauthenticated connections ${crowded}; refusing another`,
        );
        this.events.handshakeRejected?.("TOO_MANY_HANDSHAKES");
        refuseUpgrade(socket, "503 Service Unavailable");
        return;
      }
      this.acceptor.handleUpgrade(request, socket, head, (webSocket) => {
        // close() may have begun while the upgrade was in flight.
        if (this.stopped) {
          webSocket.terminate();
          return;
        }
        const connection = new PeerConnection(
          webSocket,
          { kind: "acceptor" },
          this.settings,
          this.handlers,
          request,
        );
        this.live.add(connection);
        this.handshaking.add(connection);
        this.limitUnauthenticatedBytes(socket, head.length, connection, request);
      });
    };
    server.on("upgrade", listener);
    this.attachments.push({ server, listener });
  }

  /**
   * Why another unauthenticated socket from `address` is one too many, or
   * undefined when it may come in: a few per source address, and a global
   * cap that addresses members used before are exempt from.
   */
  private preAuthCrowding(address: string | undefined): string | undefined {
    let fromAddress = 0;
    for (const connection of this.handshaking)
      if (connection.sourceAddress === address) fromAddress += 1;
    if (fromAddress >= this.maxPendingHandshakesPerAddress) return `from ${address}`;
    const isMemberAddress = address !== undefined && this.memberAddresses.has(address);
    if (this.handshaking.size >= this.maxPendingHandshakes && !isMemberAddress) return "in all";
    return undefined;
  }

  /**
   * Drops a connection the moment it has sent more bytes than a handshake
   * needs without authenticating. WebSocket frames are only checked once
   * whole, so without this a stranger could make the node buffer a frame of
   * up to maxFrameBytes on every unauthenticated socket.
   */
  private limitUnauthenticatedBytes(
    socket: Duplex,
    bytesSoFar: number,
    connection: PeerConnection,
    request: IncomingMessage,
  ): void {
    let received = bytesSoFar;
    const count = (chunk: Buffer): void => {
      if (!this.handshaking.has(connection)) {
        socket.off("data", count);
        return;
      }
      received += chunk.length;
      if (received <= MAX_UNAUTHENTICATED_BYTES) return;
      socket.off("data", count);
      this.logger.warn(
        { remote: request.socket.remoteAddress, bytes: received, reason: "TOO_LARGE" },
        "an unauthenticated connection sent more than a handshake needs; dropped",
      );
      this.events.frameRejected?.(undefined, "TOO_LARGE");
      socket.destroy();
    };
    socket.on("data", count);
  }

  /** Starts dialing the peers this node connects to (those with a higher id). */
  start(): void {
    if (this.stopped) return;
    this.started = true;
    for (const peerId of this.peers.keys()) this.ensureDialing(peerId);
  }

  /**
   * Queues messages for their `to` peers; they leave together, one frame per
   * peer, at the end of this event-loop turn. Never blocks: messages for a
   * peer that is disconnected or whose buffers are full are dropped and
   * reported through `messagesDropped`.
   */
  send(messages: readonly Message[]): void {
    const dropped = new Map<NodeId, number>();
    let queued = 0;
    for (const message of messages) {
      if (message.from !== this.options.nodeId) {
        // The receiver would close the connection over it; this is a bug in the caller.
        throw new Error(`${this.options.nodeId} cannot send a message from ${message.from}`);
      }
      if (this.enqueue(message)) queued += 1;
      else dropped.set(message.to, (dropped.get(message.to) ?? 0) + 1);
    }
    for (const [peerId, count] of dropped) this.reportDropped(peerId, count);
    if (queued > 0 && !this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /**
   * Replaces the membership: removed peers are disconnected, new ones dialed
   * (if this node dials them), and a peer whose URL changed is redialed.
   */
  setPeers(peers: ReadonlyMap<NodeId, string>): void {
    const nextPeers = withoutSelf(peers, this.options.nodeId);
    const previousPeers = this.peers;
    this.peers = nextPeers;
    for (const [peerId, url] of previousPeers) {
      const nextUrl = nextPeers.get(peerId);
      if (nextUrl === undefined) {
        this.forget(peerId);
      } else if (nextUrl !== url && this.dialers.has(peerId)) {
        this.stopDialing(peerId, CloseCode.PEER_MOVED, "PEER_MOVED");
      }
    }
    if (this.started && !this.stopped) {
      for (const peerId of nextPeers.keys()) this.ensureDialing(peerId);
    }
  }

  /** Every known peer with its connection status, in membership order. */
  peerStates(): PeerState[] {
    return [...this.peers].map(([id, url]) => {
      const connection = this.connections.get(id);
      return {
        id,
        url,
        connected: connection !== undefined,
        remoteAddress: connection?.remoteAddress,
        bufferedBytes: (this.queues.get(id)?.bytes ?? 0) + (connection?.bufferedBytes ?? 0),
        ...(connection?.peerKey ? { publicKey: connection.peerKey } : {}),
      };
    });
  }

  /**
   * Closes every connection whose key the key book no longer admits: the
   * committed state pinned another key for that member, or revoked its key.
   * Called whenever committed state changes, so a key admitted on first
   * contact in the moments before the pins were known cannot stay.
   */
  recheckKeys(): void {
    for (const connection of this.live) {
      const { peerId, peerKey } = connection;
      if (peerId === undefined || peerKey === undefined) continue;
      const admission = this.options.keyBook.admit(peerId, peerKey);
      if (admission.ok) continue;
      this.logger.warn(
        { peer: peerId, reason: admission.error.code },
        `connection closed: ${admission.error.message}`,
      );
      this.events.handshakeRejected?.(admission.error.code);
      connection.close(CloseCode.HANDSHAKE_REJECTED, admission.error.code);
    }
  }

  /** Stops serving and dialing, closes every socket and clears every timer. Idempotent. */
  close(): Promise<void> {
    if (this.closing === undefined) {
      this.stopped = true;
      this.closing = this.shutdown();
    }
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    for (const { server, listener } of this.attachments) {
      server.off("upgrade", listener);
    }
    for (const dialer of this.dialers.values()) clearTimeout(dialer.retryTimer);
    await Promise.all([...this.live].map((connection) => connection.shutdown(SHUTDOWN_GRACE_MS)));
    this.acceptor.close();
  }

  private enqueue(message: Message): boolean {
    const connection = this.connections.get(message.to);
    if (connection === undefined) return false;
    const encoded = encodeMessage(message);
    if (encoded.bytes > maxMessageBytes(this.maxFrameBytes)) {
      this.logger.error(
        { peer: message.to, type: message.type, bytes: encoded.bytes },
        `message larger than the ${this.maxFrameBytes}-byte frame limit dropped`,
      );
      return false;
    }
    let queue = this.queues.get(message.to);
    if (queue === undefined) {
      queue = new SendQueue(this.maxBufferedBytesPerPeer);
      this.queues.set(message.to, queue);
    }
    return queue.offer(encoded, connection.bufferedBytes);
  }

  /** Sends everything queued now instead of at the end of this turn of the event loop. */
  flush(): void {
    this.flushScheduled = false;
    for (const [peerId, queue] of this.queues) {
      if (queue.length === 0) continue;
      const messages = queue.takeAll();
      const connection = this.connections.get(peerId);
      if (connection === undefined || !connection.isOpen) {
        this.reportDropped(peerId, messages.length);
        continue;
      }
      for (const frame of packMessageFrames(messages, this.maxFrameBytes)) {
        connection.sendFrame(frame);
      }
    }
  }

  private reportDropped(peerId: NodeId, count: number): void {
    this.logger.debug({ peer: peerId, count }, "messages dropped");
    this.events.messagesDropped?.(peerId, count);
  }

  private ensureDialing(peerId: NodeId): void {
    if (!isDialerFor(this.options.nodeId, peerId)) return;
    const dialer = this.dialers.get(peerId);
    if (dialer?.connection !== undefined || dialer?.retryTimer !== undefined) return;
    this.dial(peerId);
  }

  private dial(peerId: NodeId): void {
    const url = this.peers.get(peerId);
    if (url === undefined) return;
    const target = raftUrl(url);
    if (!target.ok) {
      this.logger.error({ peer: peerId, code: target.error.code }, target.error.message);
      return;
    }
    const tls = this.options.tls;
    const webSocket = new WebSocket(target.value, {
      maxPayload: this.maxFrameBytes + TAG_BYTES,
      perMessageDeflate: false,
      handshakeTimeout: this.settings.handshakeTimeoutMs,
      ...(tls?.ca !== undefined ? { ca: tls.ca } : {}),
      rejectUnauthorized: tls?.rejectUnauthorized ?? true,
    });
    const connection = new PeerConnection(
      webSocket,
      { kind: "dialer", peerId },
      this.settings,
      this.handlers,
    );
    const dialer = this.dialers.get(peerId);
    if (dialer === undefined) {
      this.dialers.set(peerId, { attempt: 0, warned: false, connection, retryTimer: undefined });
    } else {
      dialer.connection = connection;
    }
    this.live.add(connection);
  }

  /** Stops dialing `peerId` and closes the outbound connection, if any. */
  private stopDialing(peerId: NodeId, closeCode: number, reason: string): void {
    const dialer = this.dialers.get(peerId);
    if (dialer === undefined) return;
    this.dialers.delete(peerId);
    clearTimeout(dialer.retryTimer);
    dialer.connection?.close(closeCode, reason);
  }

  private forget(peerId: NodeId): void {
    this.stopDialing(peerId, CloseCode.PEER_REMOVED, "PEER_REMOVED");
    this.connections.get(peerId)?.close(CloseCode.PEER_REMOVED, "PEER_REMOVED");
  }

  private adopt(connection: PeerConnection, peer: Authenticated): void {
    const { peerId } = peer;
    this.handshaking.delete(connection);
    if (this.stopped || !this.peers.has(peerId)) {
      connection.close(CloseCode.PEER_REMOVED, "PEER_REMOVED");
      return;
    }
    if (connection.sourceAddress !== undefined) this.memberAddresses.add(connection.sourceAddress);
    if (peer.enrolled) {
      this.options.keyBook.remember(peerId, peer.peerKey);
      this.logger.info(
        { peer: peerId, publicKey: peer.peerKey },
        "admitted a member's identity key on first contact (enrollment secret); the leader pins it",
      );
    }

    const dialer = this.dialers.get(peerId);
    if (dialer?.connection === connection) {
      dialer.attempt = 0;
      dialer.warned = false;
    }
    const previous = this.connections.get(peerId);
    this.connections.set(peerId, connection);
    if (previous !== undefined) {
      // A reconnect raced the old socket's death: the newer one is the live one.
      this.logger.info(
        { peer: peerId, remote: connection.remoteAddress },
        "newer connection replaces the old one",
      );
      previous.close(CloseCode.REPLACED, "REPLACED");
      return;
    }
    this.logger.info({ peer: peerId, remote: connection.remoteAddress }, "peer connected");
    this.events.peerConnected?.(peerId);
  }

  private release(connection: PeerConnection): void {
    this.live.delete(connection);
    this.handshaking.delete(connection);
    const peerId = connection.peerId;
    if (peerId !== undefined && this.connections.get(peerId) === connection) {
      this.connections.delete(peerId);
      const queued = this.queues.get(peerId)?.takeAll().length ?? 0;
      this.queues.delete(peerId);
      if (queued > 0) this.reportDropped(peerId, queued);
      this.logger.info({ peer: peerId }, "peer disconnected");
      this.events.peerDisconnected?.(peerId);
    }
    if (connection.role.kind === "dialer") this.redialLater(connection.role.peerId, connection);
  }

  private redialLater(peerId: NodeId, connection: PeerConnection): void {
    const dialer = this.dialers.get(peerId);
    // A dialer that moved on (peer removed or moved) has nothing to retry.
    if (dialer === undefined || dialer.connection !== connection) return;
    dialer.connection = undefined;
    if (this.stopped) return;
    const delayMs = backoffDelayMs(
      dialer.attempt,
      { minDelayMs: this.reconnectMinDelayMs, maxDelayMs: this.reconnectMaxDelayMs },
      this.random,
    );
    const details = { peer: peerId, delayMs, error: connection.lastError?.message };
    // Warn once per outage; the retries that follow are routine. Right after
    // start the peers are starting too: those first refusals are routine as well.
    const startingUp = performance.now() - this.startedAtMs < STARTUP_QUIET_MS;
    if (!dialer.warned && !startingUp) {
      dialer.warned = true;
      this.logger.warn(details, "no connection to peer; retrying");
    } else
      this.logger.debug(
        details,
        startingUp ? "no connection to peer yet; retrying" : "retrying peer",
      );
    dialer.attempt += 1;
    dialer.retryTimer = setTimeout(() => {
      dialer.retryTimer = undefined;
      this.dial(peerId);
    }, delayMs);
  }
}
