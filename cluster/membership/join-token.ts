/**
 * Join tokens: how an admin lets one new server into a running cluster.
 *
 * A token is `nxj1.<base64url JSON>` holding the new node's id, a 32-byte
 * secret, when it expires, and the members to contact with the identity key
 * each must prove. The secret never travels after the admin copied it: the
 * new node derives an Ed25519 key pair from it (HKDF, bound to the node id)
 * and signs its join request with it. The cluster stores only that key
 * pair's public half (the verifier), which is a one-way function of the
 * secret like a hash: a seized server's state cannot produce a token or a
 * join request, and a request seen on the wire admits only the identity key
 * it names.
 */
import { createPrivateKey, createPublicKey, hkdfSync, randomBytes, sign } from "node:crypto";
import { z } from "zod";
import { isValidNodeId, nodeIdRule } from "../../shared/node-id.ts";
import { err, ok, type Result } from "../../shared/result.ts";
import { isNodePublicKey, verifyNodeSignature } from "../identity/node-public-key.ts";

const TOKEN_PREFIX = "nxj1.";
/** Long enough for nine members' URLs and keys, short enough to paste in a chat. */
const MAX_TOKEN_LENGTH = 4000;
/** Members named in a token: the voters first; any one of them leads the new node in. */
export const MAX_TOKEN_MEMBERS = 9;
const SECRET_BYTES = 32;
// PKCS#8 wrapping of a raw 32-byte Ed25519 seed (RFC 8410).
const ED25519_PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

export type JoinTokenErrorCode = "JOIN_TOKEN_MALFORMED" | "JOIN_TOKEN_EXPIRED";

/** A member the new node may contact, and the identity key it must prove. */
export interface TokenMember {
  id: string;
  /** Its peer URL, ws:// or wss://. */
  url: string;
  identityKey: string;
}

/** A join token as the new node reads it. */
export interface JoinToken {
  nodeId: string;
  /** 32 random bytes, unpadded base64url. */
  secret: string;
  expiresAt: number;
  members: TokenMember[];
}

const peerUrl = z
  .string()
  .max(300)
  .regex(/^wss?:\/\/[^\s/?#]+$/, "a peer URL is ws://host:port or wss://host:port");

const payloadSchema = z.strictObject({
  n: z.string().refine(isValidNodeId, `the node id must be ${nodeIdRule}`),
  s: z.string().regex(/^[A-Za-z0-9_-]{43}$/, "the secret is 32 bytes in base64url"),
  e: z.int().positive(),
  m: z
    .array(z.tuple([z.string().refine(isValidNodeId), peerUrl, z.string().refine(isNodePublicKey)]))
    .min(1)
    .max(MAX_TOKEN_MEMBERS),
});

/** A fresh token secret. */
export function newJoinTokenSecret(): string {
  return randomBytes(SECRET_BYTES).toString("base64url");
}

/** The text an admin copies to the new server. */
export function encodeJoinToken(token: JoinToken): string {
  const payload = {
    n: token.nodeId,
    s: token.secret,
    e: token.expiresAt,
    m: token.members.map((member) => [member.id, member.url, member.identityKey]),
  };
  return TOKEN_PREFIX + Buffer.from(JSON.stringify(payload)).toString("base64url");
}

/** Reads a token; says what is wrong with one that is damaged or not a token at all. */
export function parseJoinToken(text: string): Result<JoinToken, JoinTokenErrorCode> {
  const malformed = (why: string) =>
    err(
      "JOIN_TOKEN_MALFORMED",
      `JOIN_TOKEN is not a join token (${why}); copy the whole token an admin got from /addserver or POST /v1/join-tokens`,
    );
  const trimmed = text.trim();
  if (!trimmed.startsWith(TOKEN_PREFIX)) return malformed(`it must start with ${TOKEN_PREFIX}`);
  if (trimmed.length > MAX_TOKEN_LENGTH) return malformed("it is too long");
  const body = trimmed.slice(TOKEN_PREFIX.length);
  if (!/^[A-Za-z0-9_-]+$/.test(body)) return malformed("it holds characters a token never has");
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
  } catch {
    return malformed("it was cut or altered");
  }
  const parsed = payloadSchema.safeParse(json);
  if (!parsed.success) return malformed("it was cut or altered");
  const { n, s, e, m } = parsed.data;
  return ok({
    nodeId: n,
    secret: s,
    expiresAt: e,
    members: m.map(([id, url, identityKey]) => ({ id, url, identityKey })),
  });
}

/** The token's signing key pair, derived from its secret and bound to its node id. */
function tokenKeyPair(nodeId: string, secret: string) {
  const seed = Buffer.from(
    hkdfSync(
      "sha256",
      Buffer.from(secret, "base64url"),
      Buffer.alloc(0),
      `nexaloak/join-token/v1/${nodeId}`,
      32,
    ),
  );
  const privateKey = createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]),
    format: "der",
    type: "pkcs8",
  });
  const verifier = String(createPublicKey(privateKey).export({ format: "jwk" }).x);
  return { privateKey, verifier };
}

/** What the cluster stores of a token: the public half of its signing key. */
export function joinTokenVerifier(nodeId: string, secret: string): string {
  return tokenKeyPair(nodeId, secret).verifier;
}

/** What a join request binds together: who joins, with which identity, where, and where to answer. */
export interface JoinClaim {
  nodeId: string;
  identityKey: string;
  peerUrl: string;
  /** The X25519 key (WireGuard format) the cluster seals its credentials to. */
  boxKey: string;
}

function claimStatement(claim: JoinClaim): Buffer {
  return Buffer.from(
    JSON.stringify([
      "nexaloak/join/v1",
      claim.nodeId,
      claim.identityKey,
      claim.peerUrl,
      claim.boxKey,
    ]),
  );
}

/** The token's signature over a claim: proof that whoever asks holds the token. */
export function signJoinClaim(secret: string, claim: JoinClaim): string {
  return sign(null, claimStatement(claim), tokenKeyPair(claim.nodeId, secret).privateKey).toString(
    "base64url",
  );
}

/** The new node's own signature over the claim: proof that it holds the identity key it names. */
export function identityStatement(claim: JoinClaim): Buffer {
  return Buffer.concat([Buffer.from("identity:"), claimStatement(claim)]);
}

/** Whether `signature` is the token's over `claim`, given the stored verifier. */
export function verifyJoinClaim(verifier: string, claim: JoinClaim, signature: string): boolean {
  return verifyNodeSignature(verifier, claimStatement(claim), Buffer.from(signature, "base64url"));
}

/** Refuses a token whose time is up, before anything is sent. */
export function checkNotExpired(
  token: JoinToken,
  now: number,
): Result<JoinToken, JoinTokenErrorCode> {
  if (now < token.expiresAt) return ok(token);
  return err(
    "JOIN_TOKEN_EXPIRED",
    `this join token expired at ${new Date(token.expiresAt).toISOString()}; ask an admin for a new one (/addserver)`,
  );
}
