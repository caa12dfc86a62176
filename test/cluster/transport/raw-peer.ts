/**
 * A bare WebSocket client that speaks the peer protocol by hand, so tests can
 * play a misbehaving or hostile peer: skip steps, replay frames, lie about ids.
 */
import { randomBytes } from "node:crypto";
import { WebSocket } from "ws";
import type { NodeId } from "../../../cluster/raft/types.ts";
import type { AuthFrame, ChallengeFrame, HelloFrame } from "../../../cluster/transport/frame.ts";
import {
  answerChallenge,
  createHello,
  encodeNonce,
  NONCE_BYTES,
} from "../../../cluster/transport/handshake.ts";
import { waitFor } from "./fixtures.ts";

export class RawPeer {
  readonly frames: Array<Record<string, unknown>> = [];
  closeInfo: { code: number; reason: string } | undefined;

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

  /** Opens a WebSocket to `<baseUrl>/raft` and waits until it is open. */
  static async connect(baseUrl: string): Promise<RawPeer> {
    const socket = new WebSocket(`${baseUrl}/raft`, { perMessageDeflate: false });
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

  /** Says hello as `selfId` to `peerId` and returns the hello and the challenge it got. */
  async hello(
    selfId: NodeId,
    peerId: NodeId,
  ): Promise<{ hello: HelloFrame; challenge: ChallengeFrame }> {
    const hello = createHello(selfId, peerId, encodeNonce(randomBytes(NONCE_BYTES)));
    this.sendJson(hello);
    const challenge = (await this.frame(1)) as ChallengeFrame;
    return { hello, challenge };
  }

  /** Runs the dialer's side of the handshake with `secret`; returns the frames it sent. */
  async authenticate(
    selfId: NodeId,
    peerId: NodeId,
    secret: string,
  ): Promise<{ hello: HelloFrame; auth: AuthFrame }> {
    const { hello, challenge } = await this.hello(selfId, peerId);
    const auth = answerChallenge(secret, hello, challenge);
    if (!auth.ok) throw new Error(`the acceptor failed its proof: ${auth.error.message}`);
    this.sendJson(auth.value);
    return { hello, auth: auth.value };
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
