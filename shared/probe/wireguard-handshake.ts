/**
 * The first message of WireGuard's Noise_IKpsk2 handshake, as a peer with no
 * preshared key sends it, and the check of what the server answers. A server
 * answers only an initiation from a peer it knows, and only a server holding
 * its private key can produce a response that decrypts, so a checked response
 * proves that this very WireGuard server got our packet and its answer got
 * back. Pure: keys, randomness and time come in as arguments.
 */
import { timingSafeEqual } from "node:crypto";
import { err, ok, type Result } from "../result.ts";
import {
  aeadOpen,
  aeadSeal,
  dh,
  hash,
  KEY_BYTES,
  kdf,
  MAC_BYTES,
  mac,
  publicKeyOf,
  TAG_BYTES,
  xaeadOpen,
} from "./wireguard-crypto.ts";

const utf8 = (text: string) => new TextEncoder().encode(text);

/** HASH("Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s"): where every handshake's chaining key starts. */
export const INITIAL_CHAINING_KEY = hash(utf8("Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s"));
/** HASH(initial chaining key || WireGuard's identifier): where every handshake's hash starts. */
export const INITIAL_HASH = hash(INITIAL_CHAINING_KEY, utf8("WireGuard v1 zx2c4 Jason@zx2c4.com"));
const mac1Label = utf8("mac1----");
const cookieLabel = utf8("cookie--");

const INITIATION_TYPE = 1;
const RESPONSE_TYPE = 2;
const COOKIE_REPLY_TYPE = 3;
const RESPONSE_BYTES = 92;
const COOKIE_REPLY_BYTES = 64;
const TIMESTAMP_BYTES = 12;
/** Where mac1 starts in a response: everything before it is what mac1 covers. */
const RESPONSE_MAC1_OFFSET = 60;
/** The probe peer is configured without a preshared key, which Noise treats as 32 zero bytes. */
const noPresharedKey = new Uint8Array(KEY_BYTES);

/** What {@link createInitiation} needs; every key is 32 raw bytes. */
export interface InitiationInput {
  /** Our static private key: the probe peer's key on that server. */
  initiatorPrivateKey: Uint8Array;
  /** The server's static public key. */
  responderPublicKey: Uint8Array;
  /** A fresh random X25519 private key, used for this one message. */
  ephemeralPrivateKey: Uint8Array;
  /** A random 32-bit index the server's answer will be addressed to. */
  senderIndex: number;
  /** TAI64N of now ({@link tai64n}); the server drops one not newer than the last it accepted. */
  timestamp: Uint8Array;
}

/** The handshake state an initiation leaves behind; it holds secrets, so it is never logged. */
export interface PendingHandshake {
  senderIndex: number;
  chainingKey: Uint8Array;
  hash: Uint8Array;
  ephemeralPrivateKey: Uint8Array;
  initiatorPrivateKey: Uint8Array;
  initiatorPublicKey: Uint8Array;
  responderPublicKey: Uint8Array;
  /** The initiation's mac1: a cookie reply is bound to it. */
  mac1: Uint8Array;
}

/** A handshake initiation to send, and what checking its answer needs. */
export interface HandshakeInitiation {
  message: Uint8Array;
  pending: PendingHandshake;
}

export type InitiationErrorCode = "WIREGUARD_INVALID_KEY";

/**
 * What a server can validly answer: a handshake response, or, when it is
 * under load, a cookie reply asking us to prove our address first. A response
 * can only come from the server's private key; a cookie reply is bound to our
 * initiation's mac1 and the server's public key, so only the server, or
 * someone who saw our packet and knows that key, can make one.
 */
export type HandshakeAnswer = "handshake_response" | "cookie_reply";

/** Why a packet is not a valid answer to our initiation. */
export type AnswerErrorCode =
  | "WIREGUARD_NOT_AN_ANSWER"
  | "WIREGUARD_WRONG_RECEIVER"
  | "WIREGUARD_BAD_MAC1"
  | "WIREGUARD_NOT_AUTHENTIC";

/**
 * TAI64N (the external format of a TAI64N label): 8 bytes of 2^62 + 10 +
 * seconds since the Unix epoch, then 4 bytes of nanoseconds, big-endian. The
 * 10 seconds are TAI's offset from UTC in 1970, as WireGuard counts them.
 */
export function tai64n(unixNanoseconds: bigint): Uint8Array {
  const timestamp = Buffer.alloc(TIMESTAMP_BYTES);
  timestamp.writeBigUInt64BE((1n << 62n) + 10n + unixNanoseconds / 1_000_000_000n, 0);
  timestamp.writeUInt32BE(Number(unixNanoseconds % 1_000_000_000n), 8);
  return timestamp;
}

function mac1Key(publicKey: Uint8Array): Uint8Array {
  return hash(mac1Label, publicKey);
}

function messageHeader(type: number): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt32LE(type, 0);
  return header;
}

function isUint32(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= 0xffff_ffff;
}

/**
 * Builds the 148-byte handshake initiation: type and reserved zeros, sender
 * index, unencrypted ephemeral, encrypted static key, encrypted timestamp,
 * mac1, and mac2 as zeros (we hold no cookie). Fails only for keys that are
 * not 32 bytes or a server key that is not a usable X25519 point.
 */
export function createInitiation(
  input: InitiationInput,
): Result<HandshakeInitiation, InitiationErrorCode> {
  const { initiatorPrivateKey, responderPublicKey, ephemeralPrivateKey, timestamp } = input;
  if (
    [initiatorPrivateKey, responderPublicKey, ephemeralPrivateKey].some(
      (key) => key.length !== KEY_BYTES,
    ) ||
    timestamp.length !== TIMESTAMP_BYTES ||
    !isUint32(input.senderIndex)
  ) {
    return err(
      "WIREGUARD_INVALID_KEY",
      "a WireGuard initiation needs 32-byte keys, a 12-byte timestamp and a 32-bit sender index",
    );
  }
  const initiatorPublicKey = publicKeyOf(initiatorPrivateKey);
  const ephemeralPublicKey = publicKeyOf(ephemeralPrivateKey);
  const ephemeralStatic = dh(ephemeralPrivateKey, responderPublicKey);
  const staticStatic = dh(initiatorPrivateKey, responderPublicKey);
  if (!ephemeralStatic || !staticStatic) {
    return err(
      "WIREGUARD_INVALID_KEY",
      "the server's public key is not a usable X25519 key; check serverPublicKey",
    );
  }

  let chainingKey = INITIAL_CHAINING_KEY;
  let handshakeHash = hash(INITIAL_HASH, responderPublicKey);
  handshakeHash = hash(handshakeHash, ephemeralPublicKey);
  [chainingKey] = kdf(chainingKey, ephemeralPublicKey, 1) as [Uint8Array];
  let key: Uint8Array;
  [chainingKey, key] = kdf(chainingKey, ephemeralStatic, 2) as [Uint8Array, Uint8Array];
  const encryptedStatic = aeadSeal(key, 0n, initiatorPublicKey, handshakeHash);
  handshakeHash = hash(handshakeHash, encryptedStatic);
  [chainingKey, key] = kdf(chainingKey, staticStatic, 2) as [Uint8Array, Uint8Array];
  const encryptedTimestamp = aeadSeal(key, 0n, timestamp, handshakeHash);
  handshakeHash = hash(handshakeHash, encryptedTimestamp);

  const senderIndex = Buffer.alloc(4);
  senderIndex.writeUInt32LE(input.senderIndex, 0);
  const covered = Buffer.concat([
    messageHeader(INITIATION_TYPE),
    senderIndex,
    ephemeralPublicKey,
    encryptedStatic,
    encryptedTimestamp,
  ]);
  const mac1 = mac(mac1Key(responderPublicKey), covered);
  const message = Buffer.concat([covered, mac1, Buffer.alloc(MAC_BYTES)]);
  return ok({
    message,
    pending: {
      senderIndex: input.senderIndex,
      chainingKey,
      hash: handshakeHash,
      ephemeralPrivateKey,
      initiatorPrivateKey,
      initiatorPublicKey,
      responderPublicKey,
      mac1,
    },
  });
}

function bytesEqual(left: Uint8Array, right: Uint8Array): boolean {
  return left.length === right.length && timingSafeEqual(left, right);
}

const notAuthentic = () =>
  err("WIREGUARD_NOT_AUTHENTIC", "the answer does not decrypt with this handshake's keys");

/** Checks a handshake response (type 2) down to decrypting its empty payload. */
function checkResponse(
  pending: PendingHandshake,
  packet: Uint8Array,
): Result<HandshakeAnswer, AnswerErrorCode> {
  const expectedMac1 = mac(
    mac1Key(pending.initiatorPublicKey),
    packet.subarray(0, RESPONSE_MAC1_OFFSET),
  );
  if (
    !bytesEqual(
      expectedMac1,
      packet.subarray(RESPONSE_MAC1_OFFSET, RESPONSE_MAC1_OFFSET + MAC_BYTES),
    )
  ) {
    return err("WIREGUARD_BAD_MAC1", "the response's mac1 is not keyed with our public key");
  }
  const ephemeral = packet.subarray(12, 44);
  const ephemeralEphemeral = dh(pending.ephemeralPrivateKey, ephemeral);
  const staticEphemeral = dh(pending.initiatorPrivateKey, ephemeral);
  if (!ephemeralEphemeral || !staticEphemeral) return notAuthentic();

  let handshakeHash = hash(pending.hash, ephemeral);
  let [chainingKey] = kdf(pending.chainingKey, ephemeral, 1) as [Uint8Array];
  [chainingKey] = kdf(chainingKey, ephemeralEphemeral, 1) as [Uint8Array];
  [chainingKey] = kdf(chainingKey, staticEphemeral, 1) as [Uint8Array];
  const [, presharedHash, key] = kdf(chainingKey, noPresharedKey, 3) as [
    Uint8Array,
    Uint8Array,
    Uint8Array,
  ];
  handshakeHash = hash(handshakeHash, presharedHash);
  const payload = aeadOpen(key, 0n, packet.subarray(44, 44 + TAG_BYTES), handshakeHash);
  return payload?.length === 0 ? ok("handshake_response") : notAuthentic();
}

/** Checks a cookie reply (type 3): its cookie must decrypt under the server's cookie key. */
function checkCookieReply(
  pending: PendingHandshake,
  packet: Uint8Array,
): Result<HandshakeAnswer, AnswerErrorCode> {
  const cookieKey = hash(cookieLabel, pending.responderPublicKey);
  const cookie = xaeadOpen(cookieKey, packet.subarray(8, 32), packet.subarray(32), pending.mac1);
  return cookie?.length === MAC_BYTES ? ok("cookie_reply") : notAuthentic();
}

/**
 * Whether `packet` is a valid answer to the initiation that left `pending`:
 * the right type and length, addressed to our sender index, and
 * authenticated all the way (mac1, then decryption with the handshake's
 * keys), so garbage or a forged answer is refused.
 */
export function checkAnswer(
  pending: PendingHandshake,
  packet: Uint8Array,
): Result<HandshakeAnswer, AnswerErrorCode> {
  const view = Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength);
  const type = view.length >= 4 ? view.readUInt32LE(0) : -1;
  const isResponse = type === RESPONSE_TYPE && view.length === RESPONSE_BYTES;
  const isCookieReply = type === COOKIE_REPLY_TYPE && view.length === COOKIE_REPLY_BYTES;
  if (!isResponse && !isCookieReply) {
    return err(
      "WIREGUARD_NOT_AN_ANSWER",
      `a ${view.length}-byte packet is neither a handshake response nor a cookie reply`,
    );
  }
  // A response names the server's own index before ours; a cookie reply names only ours.
  const receiverIndex = view.readUInt32LE(isResponse ? 8 : 4);
  if (receiverIndex !== pending.senderIndex) {
    return err("WIREGUARD_WRONG_RECEIVER", "the answer is addressed to another handshake");
  }
  return isResponse ? checkResponse(pending, view) : checkCookieReply(pending, view);
}
