/**
 * A bare WebSocket client that speaks the peer protocol by hand, so tests can
 * play a misbehaving or hostile peer: skip steps, replay frames, lie about
 * ids, present another key, send garbage inside or outside the session.
 */
import { randomBytes } from "node:crypto";
import { WebSocket } from "ws";
import {
  generateNodeIdentity,
  type NodeIdentity,
} from "../../../cluster/identity/node-identity.ts";
import type { Message, NodeId } from "../../../cluster/raft/types.ts";
import {
  type AuthFrame,
  type ChallengeFrame,
  FRAME_VERSION,
  type HelloFrame,
} from "../../../cluster/transport/frame.ts";
import {
  answerChallenge,
  createHello,
  encodeNonce,
  NONCE_BYTES,
} from "../../../cluster/transport/handshake.ts";
import { PeerKeyBook } from "../../../cluster/transport/peer-key-book.ts";
import {
  type EphemeralKeyPair,
  FrameSealer,
  generateEphemeralKeyPair,
} from "../../../cluster/transport/session-cipher.ts";
import { ok } from "../../../shared/result.ts";
import { waitFor } from "./fixtures.ts";

export interface AuthenticateOptions {
  /** The key to prove; default this peer's own fresh identity. */
  identity?: NodeIdentity;
  /** Skip checking the acceptor's enrollment proof, so an auth under a wrong secret can be sent. */
  trustAcceptor?: boolean;
}

export class RawPeer {
  readonly frames: Array<Record<string, unknown>> = [];
  closeInfo: { code: number; reason: string } | undefined;
  /** The identity this peer proves unless told otherwise. */
  readonly identity = generateNodeIdentity();
  private sealer: FrameSealer | undefined;

  private constructor(readonly socket: WebSocket) {
    socket.on("message", (data: Buffer, isBinary: boolean) => {
      if (!isBinary) this.frames.push(JSON.parse(data.toString("utf8")) as Record<string, unknown>);
    });
    socket.on("close", (code: number, reason: Buffer) => {
      this.closeInfo = { code, reason: reason.toString("utf8") };
    });
    // Errors end in a close, which is what the tests look at.
    socket.on("error", () => {});
  }

  /** Opens a WebSocket to `<baseUrl>/raft` (from `localAddress`, if given) and waits until it is open. */
  static async connect(baseUrl: string, localAddress?: string): Promise<RawPeer> {
    const socket = new WebSocket(`${baseUrl}/raft`, {
      perMessageDeflate: false,
      ...(localAddress ? { localAddress } : {}),
    });
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
    });
    return new RawPeer(socket);
  }

  sendJson(value: unknown): void {
    this.socket.send(JSON.stringify(value));
  }

  sendText(text: string): void {
    this.socket.send(text);
  }

  sendBinary(bytes: Buffer): void {
    this.socket.send(bytes, { binary: true });
  }

  /** Seals `text` with the session's key (after authenticate) and sends it as the protocol does. */
  sendSealed(text: string): void {
    if (!this.sealer) throw new Error("not authenticated: no session key");
    this.sendBinary(this.sealer.seal(Buffer.from(text, "utf8")));
  }

  /** Sends Raft messages in a sealed `msgs` frame. */
  sendMessages(messages: Message[]): void {
    this.sendSealed(JSON.stringify({ v: FRAME_VERSION, type: "msgs", messages }));
  }

  /** Waits for the `count`-th frame received (1-based) and returns it. */
  async frame(count: number): Promise<Record<string, unknown>> {
    await waitFor(() => this.frames.length >= count || this.closeInfo !== undefined, "a frame");
    const frame = this.frames[count - 1];
    if (frame === undefined) throw new Error(`closed before frame ${count}: ${this.closeText()}`);
    return frame;
  }

  async closed(timeoutMs = 3000): Promise<{ code: number; reason: string }> {
    await waitFor(() => this.closeInfo !== undefined, "the connection to close", timeoutMs);
    return this.closeInfo!;
  }

  /** Says hello as `selfId` to `peerId` with `identity`; returns the hello and the challenge it got. */
  async hello(
    selfId: NodeId,
    peerId: NodeId,
    identity: NodeIdentity = this.identity,
  ): Promise<{ hello: HelloFrame; challenge: ChallengeFrame; ephemeral: EphemeralKeyPair }> {
    const ephemeral = generateEphemeralKeyPair();
    const hello = createHello(
      { selfId, identity },
      peerId,
      encodeNonce(randomBytes(NONCE_BYTES)),
      ephemeral,
    );
    this.sendJson(hello);
    const challenge = (await this.frame(1)) as ChallengeFrame;
    return { hello, challenge, ephemeral };
  }

  /** Runs the dialer's side of the handshake with `secret`; returns the frames it sent. */
  async authenticate(
    selfId: NodeId,
    peerId: NodeId,
    secret: string,
    options: AuthenticateOptions = {},
  ): Promise<{ hello: HelloFrame; auth: AuthFrame }> {
    const identity = options.identity ?? this.identity;
    const { hello, challenge, ephemeral } = await this.hello(selfId, peerId, identity);
    const keys = options.trustAcceptor
      ? { admit: () => ok("pinned" as const) }
      : new PeerKeyBook(() => undefined);
    const answer = answerChallenge(
      { selfId, identity, clusterSecret: secret, keys },
      hello,
      challenge,
      ephemeral,
    );
    if (!answer.ok) throw new Error(`the acceptor failed its proof: ${answer.error.message}`);
    this.sendJson(answer.value.auth);
    this.sealer = new FrameSealer(answer.value.authenticated.keys.send);
    return { hello, auth: answer.value.auth };
  }

  async close(): Promise<void> {
    if (this.closeInfo !== undefined) return;
    this.socket.close();
    await this.closed();
  }

  private closeText(): string {
    return this.closeInfo === undefined
      ? "open"
      : `${this.closeInfo.code} ${this.closeInfo.reason}`;
  }
}
