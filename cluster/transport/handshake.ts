/**
 * Mutual authentication of two cluster members by their node identities,
 * and the session keys that encrypt everything after it:
 *
 *     dialer                                              acceptor
 *     hello     {from, to, nonce Nd, key Kd, ephemeral Ed}  ->
 *                                 <- challenge {from, to, nonce Na, key Ka, ephemeral Ea,
 *                                               signature Sa, proof Pa}
 *     auth      {signature Sd, proof Pd}                    ->
 *
 * T is SHA-256 over the protocol label, both ids, both identity keys, both
 * ephemeral X25519 keys and both nonces. S(role) is the role's Ed25519
 * signature over the role and T; it proves possession of the identity key and binds both identities and this
 * very key exchange. P(role) is HMAC-SHA256 keyed with the cluster secret
 * over the role and T: the enrollment credential, checked only for a key the
 * cluster has not pinned yet (see peer-key-book.ts). The session keys come
 * from the X25519 exchange and T (session-cipher.ts), so an on-path attacker
 * that swaps ephemeral keys breaks the signatures, and one that records the
 * traffic cannot read it even with an identity key seized later.
 *
 * Each side signs over a nonce the other drew for this connection, so no
 * frame from an earlier connection verifies again; the role in every
 * signature stops reflection. The dialer answers only after verifying the
 * acceptor, so an impostor acceptor learns nothing it could use.
 *
 * Pure but for the crypto: nonces and ephemeral keys come in as arguments.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { err, ok, type Result } from "../../shared/result.ts";
import type { NodeIdentity } from "../identity/node-identity.ts";
import { verifyNodeSignature } from "../identity/node-public-key.ts";
import type { NodeId } from "../raft/types.ts";
import { type AuthFrame, type ChallengeFrame, FRAME_VERSION, type HelloFrame } from "./frame.ts";
import type { KeyAdmission, KeyRefusalCode } from "./peer-key-book.ts";
import { deriveSessionKeys, type EphemeralKeyPair, type SessionKeys } from "./session-cipher.ts";

/** Bound into every signature and proof, so no other protocol's can be replayed here. */
export const HANDSHAKE_PROTOCOL = "nexaloak-raft/2";

/** Size of each side's random nonce. */
export const NONCE_BYTES = 32;

/** Why a handshake was refused. Stable: they name close reasons, log fields and metric labels. */
export const HANDSHAKE_ERROR_CODES = [
  "WRONG_TARGET",
  "UNKNOWN_PEER",
  "UNEXPECTED_DIALER",
  "WRONG_PEER",
  "BAD_PROOF",
  "BAD_SIGNATURE",
  "BAD_KEY",
  "KEY_MISMATCH",
  "KEY_REVOKED",
  "KEY_OF_ANOTHER_MEMBER",
  "NODE_REVOKED",
  "UNEXPECTED_FRAME",
  "TIMEOUT",
  "HELLO_TIMEOUT",
  "TOO_MANY_HANDSHAKES",
] as const;

export type HandshakeErrorCode = (typeof HANDSHAKE_ERROR_CODES)[number];

export type HandshakeRole = "dialer" | "acceptor";

/** What either side brings to a handshake. */
export interface HandshakeParty {
  selfId: NodeId;
  identity: NodeIdentity;
  /** The enrollment credential for keys not pinned yet. */
  clusterSecret: string;
  keys: { admit(peerId: NodeId, publicKey: string): Result<KeyAdmission, KeyRefusalCode> };
}

/** What the acceptor also needs: who may dial it. */
export interface AcceptorState extends HandshakeParty {
  /** Whether `peerId` is a current member of the cluster (self excluded). */
  isPeer(peerId: NodeId): boolean;
}

/** A finished handshake, on either side. */
export interface Authenticated {
  peerId: NodeId;
  peerKey: string;
  /** True when the peer's key was admitted by the enrollment secret on first contact, not by a pin. */
  enrolled: boolean;
  keys: SessionKeys;
}

/** The acceptor's state between its challenge and the dialer's auth. */
export interface PendingAcceptance {
  hello: HelloFrame;
  transcriptHash: Buffer;
  admission: KeyAdmission;
  keys: SessionKeys;
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

/** SHA-256 of everything both sides contributed; a JSON array keeps field boundaries unambiguous. */
export function transcriptHash(
  hello: HelloFrame,
  challenge: Pick<ChallengeFrame, "nonce" | "key" | "ephemeral">,
): Buffer {
  return createHash("sha256")
    .update(
      JSON.stringify([
        HANDSHAKE_PROTOCOL,
        hello.from,
        hello.to,
        hello.key,
        challenge.key,
        hello.ephemeral,
        challenge.ephemeral,
        hello.nonce,
        challenge.nonce,
      ]),
    )
    .digest();
}

function signedBytes(role: HandshakeRole, hash: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${HANDSHAKE_PROTOCOL} ${role} signature\n`), hash]);
}

function enrollmentMac(secret: string, role: HandshakeRole, hash: Buffer): Buffer {
  return createHmac("sha256", secret)
    .update(`${HANDSHAKE_PROTOCOL} ${role} enrollment\n`)
    .update(hash)
    .digest();
}

/** The enrollment proof `role` sends: HMAC of the transcript under the cluster secret. */
export function computeProof(secret: string, role: HandshakeRole, hash: Buffer): string {
  return enrollmentMac(secret, role, hash).toString("base64url");
}

function verifyProof(secret: string, role: HandshakeRole, hash: Buffer, proof: string): boolean {
  const expected = enrollmentMac(secret, role, hash);
  const given = Buffer.from(proof, "base64url");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function sign(party: HandshakeParty, role: HandshakeRole, hash: Buffer): string {
  return party.identity.sign(signedBytes(role, hash)).toString("base64url");
}

function verifySignature(
  publicKey: string,
  role: HandshakeRole,
  hash: Buffer,
  signature: string,
): boolean {
  return verifyNodeSignature(
    publicKey,
    signedBytes(role, hash),
    Buffer.from(signature, "base64url"),
  );
}

/** Dialer, step 1: the first frame on a new connection. */
export function createHello(
  party: Pick<HandshakeParty, "selfId" | "identity">,
  peerId: NodeId,
  dialerNonce: string,
  ephemeral: EphemeralKeyPair,
): HelloFrame {
  return {
    v: FRAME_VERSION,
    type: "hello",
    from: party.selfId,
    to: peerId,
    nonce: dialerNonce,
    key: party.identity.publicKey,
    ephemeral: ephemeral.publicKey,
  };
}

/**
 * Acceptor, step 2: admits a hello from a member that should be dialing us
 * with a key it may use, and answers with our identity, signed.
 */
export function answerHello(
  state: AcceptorState,
  hello: HelloFrame,
  acceptorNonce: string,
  ephemeral: EphemeralKeyPair,
): Result<{ challenge: ChallengeFrame; pending: PendingAcceptance }, HandshakeErrorCode> {
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
  const admission = state.keys.admit(hello.from, hello.key);
  if (!admission.ok) return err(admission.error.code, admission.error.message);
  const ours = {
    nonce: acceptorNonce,
    key: state.identity.publicKey,
    ephemeral: ephemeral.publicKey,
  };
  const hash = transcriptHash(hello, ours);
  const keys = deriveSessionKeys(ephemeral, hello.ephemeral, hash, "acceptor");
  if (keys === null) return err("BAD_KEY", `${hello.from} sent an unusable ephemeral key`);
  const challenge: ChallengeFrame = {
    v: FRAME_VERSION,
    type: "challenge",
    from: state.selfId,
    to: hello.from,
    ...ours,
    signature: sign(state, "acceptor", hash),
    proof: computeProof(state.clusterSecret, "acceptor", hash),
  };
  return ok({
    challenge,
    pending: { hello, transcriptHash: hash, admission: admission.value, keys },
  });
}

/**
 * Dialer, step 3: checks that the acceptor is the member we dialed, holding
 * a key it may use, then signs the same transcript.
 */
export function answerChallenge(
  party: HandshakeParty,
  hello: HelloFrame,
  challenge: ChallengeFrame,
  ephemeral: EphemeralKeyPair,
): Result<{ auth: AuthFrame; authenticated: Authenticated }, HandshakeErrorCode> {
  if (challenge.from !== hello.to || challenge.to !== hello.from) {
    return err(
      "WRONG_PEER",
      `challenge from ${challenge.from} to ${challenge.to} answers a hello from ${hello.from} to ${hello.to}`,
    );
  }
  const admission = party.keys.admit(challenge.from, challenge.key);
  if (!admission.ok) return err(admission.error.code, admission.error.message);
  const hash = transcriptHash(hello, challenge);
  if (!verifySignature(challenge.key, "acceptor", hash, challenge.signature)) {
    return err("BAD_SIGNATURE", `${challenge.from} did not prove it holds its identity key`);
  }
  const enrolled = admission.value === "needs-enrollment-secret";
  if (enrolled && !verifyProof(party.clusterSecret, "acceptor", hash, challenge.proof)) {
    return err(
      "BAD_PROOF",
      `${challenge.from} is not pinned yet and did not prove the cluster secret`,
    );
  }
  const keys = deriveSessionKeys(ephemeral, challenge.ephemeral, hash, "dialer");
  if (keys === null) return err("BAD_KEY", `${challenge.from} sent an unusable ephemeral key`);
  return ok({
    auth: {
      v: FRAME_VERSION,
      type: "auth",
      signature: sign(party, "dialer", hash),
      proof: computeProof(party.clusterSecret, "dialer", hash),
    },
    authenticated: {
      peerId: challenge.from,
      peerKey: challenge.key,
      enrolled,
      keys,
    },
  });
}

/** Acceptor, step 4: the dialer is authenticated once its signature (and, unpinned, its proof) verify. */
export function checkAuth(
  party: HandshakeParty,
  pending: PendingAcceptance,
  auth: AuthFrame,
): Result<Authenticated, HandshakeErrorCode> {
  const { hello, transcriptHash: hash } = pending;
  if (!verifySignature(hello.key, "dialer", hash, auth.signature)) {
    return err("BAD_SIGNATURE", `${hello.from} did not prove it holds its identity key`);
  }
  const enrolled = pending.admission === "needs-enrollment-secret";
  if (enrolled && !verifyProof(party.clusterSecret, "dialer", hash, auth.proof)) {
    return err("BAD_PROOF", `${hello.from} is not pinned yet and did not prove the cluster secret`);
  }
  return ok({
    peerId: hello.from,
    peerKey: hello.key,
    enrolled,
    keys: pending.keys,
  });
}
