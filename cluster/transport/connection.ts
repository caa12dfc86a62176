/**
 * One WebSocket to one peer, through its whole life: the handshake (either
 * role), then sealed and validated message frames, keep-alive pings, and a
 * clean close with a code and reason whenever something is wrong. The transport decides
 * what to do with authenticated connections; this file only speaks the
 * protocol on one socket.
 *
 * ws may deliver several frames in one tick, so the phase changes
 * synchronously inside the message handler: a message frame that arrives
 * right behind `auth` is already judged by the open phase.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Logger } from "pino";
import type { RawData, WebSocket } from "ws";
import { normalizeAddress } from "../../shared/ip-address.ts";
import type { Message, NodeId } from "../raft/types.ts";
import {
  checkAddressing,
  decodeFrame,
  encodeFrame,
  type Frame,
  type FrameErrorCode,
  type HelloFrame,
  MAX_HANDSHAKE_FRAME_BYTES,
} from "./frame.ts";
import {
  type AcceptorState,
  type Authenticated,
  answerChallenge,
  answerHello,
  checkAuth,
  createHello,
  encodeNonce,
  type HandshakeErrorCode,
  NONCE_BYTES,
  type PendingAcceptance,
} from "./handshake.ts";
import {
  type EphemeralKeyPair,
  FrameOpener,
  FrameSealer,
  generateEphemeralKeyPair,
} from "./session-cipher.ts";

/** WebSocket close codes this protocol uses (4000-4999 is the application range). */
export const CloseCode = {
  SHUTTING_DOWN: 1001,
  HANDSHAKE_REJECTED: 4001,
  HANDSHAKE_TIMEOUT: 4002,
  FRAME_REJECTED: 4003,
  /** A newer authenticated connection from the same peer took this one's place. */
  REPLACED: 4004,
  PEER_REMOVED: 4005,
  /** The peer's configured URL changed; the dialer reconnects to the new one. */
  PEER_MOVED: 4006,
} as const;

/** Normal close, going away, no status, abnormal drop: ends that need no explanation. */
const ROUTINE_CLOSE_CODES = new Set([1000, 1001, 1005, 1006]);

/** Which end of the connection we are; a dialer knows its peer from the start. */
export type ConnectionRole = { kind: "acceptor" } | { kind: "dialer"; peerId: NodeId };

export interface ConnectionSettings extends AcceptorState {
  handshakeTimeoutMs: number;
  /** Time an inbound socket has to send its hello; a silent one is cut off, not closed politely. */
  helloTimeoutMs: number;
  keepaliveIntervalMs: number;
  logger: Logger;
}

/** What the connection reports to its owner. */
export interface ConnectionHandlers {
  authenticated(connection: PeerConnection, peer: Authenticated): void;
  messages(from: NodeId, messages: Message[]): void;
  closed(connection: PeerConnection): void;
  handshakeRejected(reason: HandshakeErrorCode): void;
  frameRejected(peer: NodeId | undefined, reason: FrameErrorCode): void;
}

type Phase =
  | { name: "connecting" }
  | { name: "awaitingHello" }
  | { name: "awaitingChallenge"; hello: HelloFrame; ephemeral: EphemeralKeyPair }
  | { name: "awaitingAuth"; pending: PendingAcceptance }
  | { name: "open"; peerId: NodeId; sealer: FrameSealer; opener: FrameOpener }
  | { name: "closing" };

/** Maps ws's own protocol violations (raised before a frame reaches us) to frame reasons. */
function protocolViolation(errorCode: string | undefined): FrameErrorCode | undefined {
  if (errorCode === undefined || !errorCode.startsWith("WS_ERR_")) return undefined;
  return errorCode.startsWith("WS_ERR_UNSUPPORTED_") ? "TOO_LARGE" : "PROTOCOL_ERROR";
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

function formatAddress(address: string | undefined, port: number | undefined): string | undefined {
  if (address === undefined) return undefined;
  return port === undefined ? address : `${address}:${port}`;
}

export class PeerConnection {
  /** Where the other end is, once known (at accept for acceptors, at upgrade for dialers). */
  remoteAddress: string | undefined;
  /** The last socket-level error, kept so the owner can say why a dial failed. */
  lastError: Error | undefined;
  /**
   * The peer at the other end: set for a dialer from the start, for an
   * acceptor once the handshake succeeds. It stays set after the close, so the
   * owner knows whose connection ended.
   */
  peerId: NodeId | undefined;
  /** The identity key the peer proved, once authenticated. */
  peerKey: string | undefined;
  /** The IP address an inbound connection came from (undefined for dialers). */
  readonly sourceAddress: string | undefined;
  private phase: Phase;
  private handshakeTimer: NodeJS.Timeout | undefined;
  private keepaliveTimer: NodeJS.Timeout | undefined;
  private awaitingPong = false;
  private readonly closedPromise: Promise<void>;
  private readonly logger: Logger;

  constructor(
    private readonly socket: WebSocket,
    readonly role: ConnectionRole,
    private readonly settings: ConnectionSettings,
    private readonly handlers: ConnectionHandlers,
    request?: IncomingMessage,
  ) {
    this.remoteAddress = formatAddress(request?.socket.remoteAddress, request?.socket.remotePort);
    const source = request?.socket.remoteAddress;
    this.sourceAddress = source === undefined ? undefined : (normalizeAddress(source) ?? source);
    this.peerId = role.kind === "dialer" ? role.peerId : undefined;
    this.logger = settings.logger.child({ remote: this.remoteAddress, role: role.kind });
    this.phase = role.kind === "dialer" ? { name: "connecting" } : { name: "awaitingHello" };
    this.closedPromise = new Promise((resolve) => socket.once("close", () => resolve()));
    const firstDeadlineMs =
      role.kind === "acceptor" ? settings.helloTimeoutMs : settings.handshakeTimeoutMs;
    this.handshakeTimer = setTimeout(() => this.timeOutHandshake(), firstDeadlineMs);

    socket.on("upgrade", (response: IncomingMessage) => {
      this.remoteAddress = formatAddress(response.socket.remoteAddress, response.socket.remotePort);
    });
    socket.on("open", () => this.sendHello());
    socket.on("message", (data: RawData, isBinary: boolean) =>
      this.receive(toBuffer(data), isBinary),
    );
    socket.on("pong", () => {
      this.awaitingPong = false;
    });
    socket.on("error", (error: Error & { code?: string }) => this.onSocketError(error));
    socket.on("close", (code: number, reason: Buffer) => this.onSocketClose(code, reason));
  }

  /** True once the handshake has succeeded and until the close starts. */
  get isOpen(): boolean {
    return this.phase.name === "open";
  }

  /** Bytes handed to the socket that it has not yet written to the network. */
  get bufferedBytes(): number {
    return this.socket.bufferedAmount;
  }

  /** Seals and sends one encoded `msgs` frame; a no-op unless the connection is open. */
  sendFrame(frame: string): void {
    if (this.phase.name !== "open") return;
    this.socket.send(this.phase.sealer.seal(Buffer.from(frame, "utf8")), { binary: true });
  }

  /** Starts a clean close; the owner hears about it through `closed`. */
  close(code: number, reason: string): void {
    if (this.phase.name === "closing") return;
    this.enterClosing();
    this.stopTimers();
    this.socket.close(code, reason);
  }

  /**
   * Closes and resolves once the socket is gone, cutting it off after
   * `graceMs` if the peer does not answer the close.
   */
  async shutdown(graceMs: number): Promise<void> {
    this.close(CloseCode.SHUTTING_DOWN, "SHUTTING_DOWN");
    const cutOff = setTimeout(() => this.socket.terminate(), graceMs);
    await this.closedPromise;
    clearTimeout(cutOff);
  }

  private sendHello(): void {
    if (this.role.kind !== "dialer" || this.phase.name !== "connecting") return;
    const nonce = encodeNonce(randomBytes(NONCE_BYTES));
    const ephemeral = generateEphemeralKeyPair();
    const hello = createHello(this.settings, this.role.peerId, nonce, ephemeral);
    this.phase = { name: "awaitingChallenge", hello, ephemeral };
    this.socket.send(encodeFrame(hello));
  }

  private receive(data: Buffer, isBinary: boolean): void {
    const phase = this.phase;
    if (phase.name === "closing" || phase.name === "connecting") return;
    if (phase.name === "open") {
      this.receiveSealed(data, isBinary, phase.peerId, phase.opener);
      return;
    }
    if (data.length > MAX_HANDSHAKE_FRAME_BYTES) {
      this.rejectFrame("TOO_LARGE", `a ${data.length}-byte frame during the handshake`);
      return;
    }
    const decoded = decodeFrame(data, isBinary);
    if (!decoded.ok) {
      this.rejectFrame(decoded.error.code, decoded.error.message);
      return;
    }
    const frame = decoded.value;
    switch (phase.name) {
      case "awaitingHello":
        this.receiveHello(frame);
        break;
      case "awaitingAuth":
        this.receiveAuth(frame, phase.pending);
        break;
      case "awaitingChallenge":
        this.receiveChallenge(frame, phase.hello, phase.ephemeral);
        break;
    }
  }

  /** After the handshake: only sealed frames, opened in order, holding `msgs`. */
  private receiveSealed(
    data: Buffer,
    isBinary: boolean,
    peerId: NodeId,
    opener: FrameOpener,
  ): void {
    if (!isBinary) {
      this.rejectFrame("PLAINTEXT_FRAME", "a text frame after the handshake; frames are sealed");
      return;
    }
    const plaintext = opener.open(data);
    if (plaintext === null) {
      this.rejectFrame("BAD_CIPHERTEXT", "a frame that does not open with this session's key");
      return;
    }
    const decoded = decodeFrame(plaintext, false);
    if (!decoded.ok) {
      this.rejectFrame(decoded.error.code, decoded.error.message);
      return;
    }
    this.receiveMessages(decoded.value, peerId);
  }

  /** Acceptor: a member introduces itself; answer with our nonce and proof. */
  private receiveHello(frame: Frame): void {
    if (frame.type !== "hello") {
      this.unexpected(frame.type, "hello");
      return;
    }
    const answer = answerHello(
      this.settings,
      frame,
      encodeNonce(randomBytes(NONCE_BYTES)),
      generateEphemeralKeyPair(),
    );
    if (!answer.ok) {
      this.rejectHandshake(answer.error.code, answer.error.message);
      return;
    }
    this.phase = { name: "awaitingAuth", pending: answer.value.pending };
    // The hello came in time; the rest of the handshake gets the full timeout.
    clearTimeout(this.handshakeTimer);
    this.handshakeTimer = setTimeout(
      () => this.timeOutHandshake(),
      this.settings.handshakeTimeoutMs,
    );
    this.socket.send(encodeFrame(answer.value.challenge));
  }

  /** Acceptor: the dialer's signature over our nonce authenticates it. */
  private receiveAuth(frame: Frame, pending: PendingAcceptance): void {
    if (frame.type !== "auth") {
      this.unexpected(frame.type, "auth");
      return;
    }
    const checked = checkAuth(this.settings, pending, frame);
    if (!checked.ok) {
      this.rejectHandshake(checked.error.code, checked.error.message);
      return;
    }
    this.open(checked.value);
  }

  /** Dialer: check the acceptor's signature over our nonce, then sign ourselves. */
  private receiveChallenge(frame: Frame, hello: HelloFrame, ephemeral: EphemeralKeyPair): void {
    if (frame.type !== "challenge") {
      this.unexpected(frame.type, "challenge");
      return;
    }
    const answer = answerChallenge(this.settings, hello, frame, ephemeral);
    if (!answer.ok) {
      this.rejectHandshake(answer.error.code, answer.error.message);
      return;
    }
    this.socket.send(encodeFrame(answer.value.auth));
    this.open(answer.value.authenticated);
  }

  private receiveMessages(frame: Frame, peerId: NodeId): void {
    if (frame.type !== "msgs") {
      this.rejectFrame("UNEXPECTED_FRAME", `a ${frame.type} frame after the handshake`);
      return;
    }
    const addressed = checkAddressing(frame.messages, peerId, this.settings.selfId);
    if (!addressed.ok) {
      this.rejectFrame(addressed.error.code, addressed.error.message);
      return;
    }
    this.handlers.messages(peerId, addressed.value);
  }

  private open(peer: Authenticated): void {
    clearTimeout(this.handshakeTimer);
    this.handshakeTimer = undefined;
    this.peerId = peer.peerId;
    this.peerKey = peer.peerKey;
    this.phase = {
      name: "open",
      peerId: peer.peerId,
      sealer: new FrameSealer(peer.keys.send),
      opener: new FrameOpener(peer.keys.receive),
    };
    this.keepaliveTimer = setInterval(() => this.keepAlive(), this.settings.keepaliveIntervalMs);
    this.handlers.authenticated(this, peer);
  }

  private keepAlive(): void {
    if (this.awaitingPong) {
      // No pong for a whole interval: the path is dead even if TCP has not noticed.
      this.logger.warn({ peer: this.peerId }, "peer stopped answering pings; dropping connection");
      this.stopTimers();
      this.socket.terminate();
      return;
    }
    this.awaitingPong = true;
    this.socket.ping();
  }

  private timeOutHandshake(): void {
    this.handshakeTimer = undefined;
    if (this.phase.name === "awaitingHello") {
      // A silent stranger holding a slot: no close handshake, no answer, gone.
      this.logger.warn(
        { reason: "HELLO_TIMEOUT" },
        `no hello within ${this.settings.helloTimeoutMs} ms; connection cut`,
      );
      this.handlers.handshakeRejected("HELLO_TIMEOUT");
      this.enterClosing();
      this.socket.terminate();
      return;
    }
    this.rejectHandshake(
      "TIMEOUT",
      `handshake not finished within ${this.settings.handshakeTimeoutMs} ms`,
      CloseCode.HANDSHAKE_TIMEOUT,
    );
  }

  private unexpected(got: string, wanted: string): void {
    this.rejectHandshake("UNEXPECTED_FRAME", `got a ${got} frame while waiting for ${wanted}`);
  }

  private rejectHandshake(
    reason: HandshakeErrorCode,
    detail: string,
    closeCode: number = CloseCode.HANDSHAKE_REJECTED,
  ): void {
    this.logger.warn({ reason }, `handshake rejected: ${detail}`);
    this.handlers.handshakeRejected(reason);
    this.close(closeCode, reason);
  }

  private rejectFrame(reason: FrameErrorCode, detail: string): void {
    this.logger.warn({ peer: this.peerId, reason }, `frame rejected: ${detail}`);
    this.handlers.frameRejected(this.peerId, reason);
    this.close(CloseCode.FRAME_REJECTED, reason);
  }

  private onSocketError(error: Error & { code?: string }): void {
    this.lastError = error;
    const violation = protocolViolation(error.code);
    if (violation === undefined) {
      this.logger.debug({ err: error }, "socket error");
      return;
    }
    // ws has already started closing the socket with the matching status code.
    if (this.phase.name === "closing") return;
    this.logger.warn({ peer: this.peerId, reason: violation }, `frame rejected: ${error.message}`);
    this.handlers.frameRejected(this.peerId, violation);
    this.enterClosing();
    this.stopTimers();
  }

  private onSocketClose(code: number, reason: Buffer): void {
    this.stopTimers();
    const closedByPeer = this.phase.name !== "closing";
    const details = { peer: this.peerId, code, reason: reason.toString("utf8") };
    if (closedByPeer && !ROUTINE_CLOSE_CODES.has(code)) {
      // The other side refused something we sent: worth an operator's attention.
      this.logger.warn(details, "peer closed the connection");
    } else {
      this.logger.debug(details, "connection closed");
    }
    this.enterClosing();
    this.handlers.closed(this);
  }

  /**
   * Leaves whatever phase the connection was in; an open session's keys are
   * erased on the way, so a server seized later holds no key of a session
   * that has ended.
   */
  private enterClosing(): void {
    if (this.phase.name === "open") {
      this.phase.sealer.erase();
      this.phase.opener.erase();
    }
    this.phase = { name: "closing" };
  }

  private stopTimers(): void {
    clearTimeout(this.handshakeTimer);
    clearInterval(this.keepaliveTimer);
    this.handshakeTimer = undefined;
    this.keepaliveTimer = undefined;
  }
}
