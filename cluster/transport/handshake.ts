/**
 * Mutual authentication of two cluster members over the shared cluster
 * secret, before either accepts a Raft message from the other:
 *
 *     dialer                                   acceptor
 *     hello     {from, to, nonce: Nd}       ->
 *                                           <- challenge {from, to, nonce: Na, proof: MAC(acceptor)}
 *     auth      {proof: MAC(dialer)}        ->
 *
 * MAC(role) is HMAC-SHA256 keyed with the secret over the protocol label, the
 * role, both node ids and both nonces. Each side checks the other's proof over
 * a nonce it generated itself for this connection, so a frame captured from an
 * earlier connection never verifies again; the role stops one side's proof
 * being reflected back as the other's; the ids stop a proof made for one pair
 * being used for another. The dialer sends its proof only after checking the
 * acceptor's, so an impostor acceptor learns nothing it could replay.
 *
 * Pure: nonces come in as arguments, the caller draws them from randomBytes.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { err, ok, type Result } from "../../shared/result.ts";
import type { NodeId } from "../raft/types.ts";
import { type AuthFrame, type ChallengeFrame, FRAME_VERSION, type HelloFrame } from "./frame.ts";

/** Bound into every proof, so a future handshake can never accept proofs made for this one. */
export const HANDSHAKE_PROTOCOL = "nexaloak-raft/1";

/** Size of each side's random nonce. */
export const NONCE_BYTES = 32;

/** Why a handshake was refused. Stable: they name close reasons, log fields and metric labels. */
export const HANDSHAKE_ERROR_CODES = [
  "WRONG_TARGET",
  "UNKNOWN_PEER",
  "UNEXPECTED_DIALER",
  "WRONG_PEER",
  "BAD_PROOF",
  "UNEXPECTED_FRAME",
  "TIMEOUT",
  "TOO_MANY_HANDSHAKES",
] as const;

export type HandshakeErrorCode = (typeof HANDSHAKE_ERROR_CODES)[number];

export type HandshakeRole = "dialer" | "acceptor";

/** Everything a proof covers. Nonces are unpadded base64url strings. */
export interface HandshakeTranscript {
  protocol: string;
  dialerId: NodeId;
  acceptorId: NodeId;
  dialerNonce: string;
  acceptorNonce: string;
}

/**
 * The one side of a pair that opens the connection: the lower id, so exactly
 * one socket exists per pair and both sides agree which without talking.
 */
export function isDialerFor(selfId: NodeId, peerId: NodeId): boolean {
  return selfId < peerId;
}

/** Encodes random bytes from `randomBytes(NONCE_BYTES)` as a nonce for the wire. */
export function encodeNonce(randomBytes: Buffer): string {
  if (randomBytes.length !== NONCE_BYTES) {
    throw new RangeError(`a nonce is ${NONCE_BYTES} bytes, got ${randomBytes.length}`);
  }
  return randomBytes.toString("base64url");
}

function mac(secret: string, role: HandshakeRole, transcript: HandshakeTranscript): Buffer {
  // A JSON array keeps field boundaries unambiguous whatever the ids contain.
  const input = JSON.stringify([
    transcript.protocol,
    role,
    transcript.dialerId,
    transcript.acceptorId,
    transcript.dialerNonce,
    transcript.acceptorNonce,
  ]);
  return createHmac("sha256", secret).update(input, "utf8").digest();
}

/** The proof that `role` knows the secret, for this transcript. */
export function computeProof(
  secret: string,
  role: HandshakeRole,
  transcript: HandshakeTranscript,
): string {
  return mac(secret, role, transcript).toString("base64url");
}

/** Checks a proof in constant time. */
export function verifyProof(
  secret: string,
  role: HandshakeRole,
  transcript: HandshakeTranscript,
  proof: string,
): boolean {
  const expected = mac(secret, role, transcript);
  const given = Buffer.from(proof, "base64url");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Dialer, step 1: the first frame on a new connection. */
export function createHello(selfId: NodeId, peerId: NodeId, dialerNonce: string): HelloFrame {
  return { v: FRAME_VERSION, type: "hello", from: selfId, to: peerId, nonce: dialerNonce };
}

/** What the acceptor needs to hear from the dialer to accept it. */
export interface AcceptorState {
  selfId: NodeId;
  clusterSecret: string;
  /** Whether `peerId` is a current member of the cluster (self excluded). */
  isPeer(peerId: NodeId): boolean;
}

/**
 * Acceptor, step 2: admits a hello from a member that should be dialing us,
 * and answers with a challenge that proves we know the secret.
 */
export function answerHello(
  state: AcceptorState,
  hello: HelloFrame,
  acceptorNonce: string,
): Result<{ challenge: ChallengeFrame; transcript: HandshakeTranscript }, HandshakeErrorCode> {
  if (hello.to !== state.selfId) {
    return err("WRONG_TARGET", `hello for ${hello.to} reached ${state.selfId}`);
  }
  if (!state.isPeer(hello.from)) {
    return err("UNKNOWN_PEER", `${hello.from} is not a member of this cluster`);
  }
  if (!isDialerFor(hello.from, state.selfId)) {
    // Only the lower id dials; accepting the other direction would open a second socket.
    return err("UNEXPECTED_DIALER", `${hello.from} should wait for ${state.selfId} to dial it`);
  }
  const transcript: HandshakeTranscript = {
    protocol: HANDSHAKE_PROTOCOL,
    dialerId: hello.from,
    acceptorId: state.selfId,
    dialerNonce: hello.nonce,
    acceptorNonce,
  };
  const challenge: ChallengeFrame = {
    v: FRAME_VERSION,
    type: "challenge",
    from: state.selfId,
    to: hello.from,
    nonce: acceptorNonce,
    proof: computeProof(state.clusterSecret, "acceptor", transcript),
  };
  return ok({ challenge, transcript });
}

/**
 * Dialer, step 3: checks that the acceptor is the peer we dialed and knows the
 * secret, then proves that we know it too.
 */
export function answerChallenge(
  clusterSecret: string,
  hello: HelloFrame,
  challenge: ChallengeFrame,
): Result<AuthFrame, HandshakeErrorCode> {
  if (challenge.from !== hello.to || challenge.to !== hello.from) {
    return err(
      "WRONG_PEER",
      `challenge from ${challenge.from} to ${challenge.to} answers a hello from ${hello.from} to ${hello.to}`,
    );
  }
  const transcript: HandshakeTranscript = {
    protocol: HANDSHAKE_PROTOCOL,
    dialerId: hello.from,
    acceptorId: hello.to,
    dialerNonce: hello.nonce,
    acceptorNonce: challenge.nonce,
  };
  if (!verifyProof(clusterSecret, "acceptor", transcript, challenge.proof)) {
    return err("BAD_PROOF", `${hello.to} did not prove it knows the cluster secret`);
  }
  return ok({
    v: FRAME_VERSION,
    type: "auth",
    proof: computeProof(clusterSecret, "dialer", transcript),
  });
}

/** Acceptor, step 4: the dialer is authenticated once its proof verifies. */
export function checkAuth(
  clusterSecret: string,
  transcript: HandshakeTranscript,
  auth: AuthFrame,
): Result<NodeId, HandshakeErrorCode> {
  if (!verifyProof(clusterSecret, "dialer", transcript, auth.proof)) {
    return err("BAD_PROOF", `${transcript.dialerId} did not prove it knows the cluster secret`);
  }
  return ok(transcript.dialerId);
}
