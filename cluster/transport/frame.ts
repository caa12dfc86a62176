/**
 * The peer wire format: versioned JSON. Three text frames make up the
 * handshake (`hello`, `challenge`, `auth`, see handshake.ts); after it, every
 * frame is a binary frame holding one sealed `msgs` frame (session-cipher.ts),
 * a batch of Raft messages for one peer.
 *
 * Everything here is pure: decoding never throws, it returns a reason that the
 * connection turns into a close code, a log line and a metric.
 */
import { z } from "zod";
import { err, ok, type Result } from "../../shared/result.ts";
import type { Message, NodeId } from "../raft/types.ts";
import { MAX_NODE_ID_LENGTH, raftMessageSchema } from "./raft-message-schema.ts";

/** The only frame version this node speaks. A peer speaking another is refused. */
export const FRAME_VERSION = 2;

/** Handshake frames are a few hundred bytes; anything bigger before authentication is hostile. */
export const MAX_HANDSHAKE_FRAME_BYTES = 1024;

/** Nonces, proofs and public keys: 32 bytes in unpadded base64url. */
const token32Schema = z.string().regex(/^[A-Za-z0-9_-]{43}$/);
/** Ed25519 signatures: 64 bytes in unpadded base64url. */
const signatureSchema = z.string().regex(/^[A-Za-z0-9_-]{86}$/);
const nodeIdSchema = z.string().min(1).max(MAX_NODE_ID_LENGTH);

const helloSchema = z.object({
  v: z.literal(FRAME_VERSION),
  type: z.literal("hello"),
  from: nodeIdSchema,
  to: nodeIdSchema,
  nonce: token32Schema,
  key: token32Schema,
  ephemeral: token32Schema,
});

const challengeSchema = z.object({
  v: z.literal(FRAME_VERSION),
  type: z.literal("challenge"),
  from: nodeIdSchema,
  to: nodeIdSchema,
  nonce: token32Schema,
  key: token32Schema,
  ephemeral: token32Schema,
  signature: signatureSchema,
  proof: token32Schema,
});

const authSchema = z.object({
  v: z.literal(FRAME_VERSION),
  type: z.literal("auth"),
  signature: signatureSchema,
  proof: token32Schema,
});

const messagesSchema = z.object({
  v: z.literal(FRAME_VERSION),
  type: z.literal("msgs"),
  messages: z.array(raftMessageSchema).min(1),
});

const frameSchema = z.discriminatedUnion("type", [
  helloSchema,
  challengeSchema,
  authSchema,
  messagesSchema,
]);

/** Dialer -> acceptor: who I am (id and identity key), whom I want, my nonce and ephemeral key. */
export type HelloFrame = z.infer<typeof helloSchema>;
/** Acceptor -> dialer: the acceptor's identity, nonce and ephemeral key, signed. */
export type ChallengeFrame = z.infer<typeof challengeSchema>;
/** Dialer -> acceptor: the dialer's signature over the same transcript. */
export type AuthFrame = z.infer<typeof authSchema>;
/** Either direction after the handshake: Raft messages from the sender to the receiver. */
export type MessagesFrame = z.infer<typeof messagesSchema>;
export type Frame = HelloFrame | ChallengeFrame | AuthFrame | MessagesFrame;

/**
 * Why a frame was refused. Stable: they name close reasons, log fields and
 * metric labels.
 */
export const FRAME_ERROR_CODES = [
  "BINARY_FRAME",
  "PLAINTEXT_FRAME",
  "BAD_CIPHERTEXT",
  "BAD_JSON",
  "BAD_VERSION",
  "BAD_SCHEMA",
  "UNEXPECTED_FRAME",
  "WRONG_SENDER",
  "WRONG_RECIPIENT",
  "TOO_LARGE",
  "PROTOCOL_ERROR",
] as const;

export type FrameErrorCode = (typeof FRAME_ERROR_CODES)[number];

/** Serialises a handshake frame. Message batches go through {@link packMessageFrames}. */
export function encodeFrame(frame: HelloFrame | ChallengeFrame | AuthFrame): string {
  return JSON.stringify(frame);
}

/**
 * Parses and validates one frame: a handshake text frame, or the plaintext of
 * a sealed frame. The version is checked before the shape so a newer peer
 * gets a clear reason.
 */
export function decodeFrame(data: Buffer, isBinary: boolean): Result<Frame, FrameErrorCode> {
  if (isBinary) return err("BINARY_FRAME", "binary frames are not part of the handshake");
  let parsed: unknown;
  try {
    parsed = JSON.parse(data.toString("utf8"));
  } catch (error) {
    return err("BAD_JSON", `frame is not JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return err("BAD_SCHEMA", "frame is not a JSON object");
  }
  const version = (parsed as { v?: unknown }).v;
  if (version !== FRAME_VERSION) {
    return err(
      "BAD_VERSION",
      `frame version ${JSON.stringify(version)} is not supported (this node speaks ${FRAME_VERSION})`,
    );
  }
  const result = frameSchema.safeParse(parsed);
  if (!result.success) {
    return err("BAD_SCHEMA", `frame does not match the schema: ${z.prettifyError(result.error)}`);
  }
  return ok(result.data);
}

/**
 * Checks that every message in a batch really is from the authenticated peer
 * and for this node: a peer may speak only for itself.
 */
export function checkAddressing(
  messages: Message[],
  peerId: NodeId,
  selfId: NodeId,
): Result<Message[], "WRONG_SENDER" | "WRONG_RECIPIENT"> {
  for (const message of messages) {
    if (message.from !== peerId) {
      return err(
        "WRONG_SENDER",
        `message claims to be from ${message.from} on ${peerId}'s connection`,
      );
    }
    if (message.to !== selfId) {
      return err("WRONG_RECIPIENT", `message for ${message.to} arrived at ${selfId}`);
    }
  }
  return ok(messages);
}

/** A Raft message already serialised, with its UTF-8 size, so batching never re-encodes. */
export interface EncodedMessage {
  json: string;
  bytes: number;
}

export function encodeMessage(message: Message): EncodedMessage {
  const json = JSON.stringify(message);
  return { json, bytes: Buffer.byteLength(json, "utf8") };
}

const MESSAGES_FRAME_PREFIX = `{"v":${FRAME_VERSION},"type":"msgs","messages":[`;
const MESSAGES_FRAME_SUFFIX = "]}";
const MESSAGES_FRAME_OVERHEAD_BYTES = MESSAGES_FRAME_PREFIX.length + MESSAGES_FRAME_SUFFIX.length;

/** The largest single message that fits in a frame of `maxFrameBytes`. */
export function maxMessageBytes(maxFrameBytes: number): number {
  return maxFrameBytes - MESSAGES_FRAME_OVERHEAD_BYTES;
}

/**
 * Packs messages, in order, into as few `msgs` frames as fit within
 * `maxFrameBytes` each. Every message must fit alone (see {@link maxMessageBytes}).
 */
export function packMessageFrames(
  messages: readonly EncodedMessage[],
  maxFrameBytes: number,
): string[] {
  const frames: string[] = [];
  let batch: string[] = [];
  let batchBytes = MESSAGES_FRAME_OVERHEAD_BYTES;
  for (const message of messages) {
    if (message.bytes > maxMessageBytes(maxFrameBytes)) {
      throw new RangeError(
        `a ${message.bytes}-byte message cannot fit a ${maxFrameBytes}-byte frame`,
      );
    }
    // Messages after the first in a frame cost one extra byte: the comma.
    if (batch.length > 0 && batchBytes + 1 + message.bytes > maxFrameBytes) {
      frames.push(MESSAGES_FRAME_PREFIX + batch.join(",") + MESSAGES_FRAME_SUFFIX);
      batch = [];
      batchBytes = MESSAGES_FRAME_OVERHEAD_BYTES;
    }
    batchBytes += (batch.length > 0 ? 1 : 0) + message.bytes;
    batch.push(message.json);
  }
  if (batch.length > 0) {
    frames.push(MESSAGES_FRAME_PREFIX + batch.join(",") + MESSAGES_FRAME_SUFFIX);
  }
  return frames;
}
