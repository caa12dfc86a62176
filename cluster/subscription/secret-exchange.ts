/**
 * The node-to-node request for a subscription's secrets
 * (`POST /cluster/subscription-secrets` on the owner's public port). A node
 * answering a subscription whose configs live on other servers asks each of
 * those servers for them:
 *
 * - the request names the asker and the owner, a fresh nonce and the time,
 *   the config ids, a one-time X25519 key for the answer, and the user's
 *   token sealed to the owner's WireGuard key (only the owner reads it, so
 *   the token never crosses the network in the clear); the asker signs all
 *   of it with its identity key, which the owner checks against the key the
 *   cluster pinned for the asker;
 * - the owner checks the token against the digest in the state, that every
 *   config is that user's, live and its own, and answers each config's
 *   secrets sealed to the one-time key, signed with its identity key over
 *   the asker, the nonce and the sealed values, so the asker knows who
 *   answered and nothing recorded replays.
 */
import { z } from "zod";
import type { NodeIdentity } from "../identity/node-identity.ts";
import { verifyNodeSignature } from "../identity/node-public-key.ts";

export const SUBSCRIPTION_SECRETS_PATH = "/cluster/subscription-secrets";
/** How far a request's time may be from the owner's clock. */
export const REQUEST_CLOCK_SKEW_MS = 60_000;
/** The most configs one request may name (a user has a handful). */
export const MAX_CONFIGS_PER_REQUEST = 32;

const REQUEST_LABEL = "nexaloak subscription-secrets request/1";
const ANSWER_LABEL = "nexaloak subscription-secrets answer/1";

const nodeId = z.string().min(1).max(64);
const base64url = (length: number) => z.string().regex(new RegExp(`^[A-Za-z0-9_-]{${length}}$`));
const wireguardKey = z.string().regex(/^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/);
const sealed = z.string().min(1).max(1024);

export const secretsRequestSchema = z.strictObject({
  from: nodeId,
  to: nodeId,
  nonce: base64url(43),
  at: z.int().nonnegative(),
  configIds: z
    .array(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/))
    .min(1)
    .max(MAX_CONFIGS_PER_REQUEST),
  replyKey: wireguardKey,
  tokenSealed: sealed,
  signature: base64url(86),
});
export type SecretsRequest = z.infer<typeof secretsRequestSchema>;
export type UnsignedSecretsRequest = Omit<SecretsRequest, "signature">;

export const secretsAnswerSchema = z.strictObject({
  entries: z
    .array(z.strictObject({ configId: z.string().max(64), sealed }))
    .max(MAX_CONFIGS_PER_REQUEST),
  signature: base64url(86),
});
export type SecretsAnswer = z.infer<typeof secretsAnswerSchema>;
export type SealedConfigSecrets = SecretsAnswer["entries"][number];

function requestBytes(request: UnsignedSecretsRequest): Buffer {
  const { from, to, nonce, at, configIds, replyKey, tokenSealed } = request;
  return Buffer.from(
    JSON.stringify([REQUEST_LABEL, from, to, nonce, at, configIds, replyKey, tokenSealed]),
  );
}

function answerBytes(
  request: Pick<SecretsRequest, "from" | "to" | "nonce">,
  entries: readonly SealedConfigSecrets[],
): Buffer {
  const flat = entries.map((entry) => [entry.configId, entry.sealed]);
  return Buffer.from(JSON.stringify([ANSWER_LABEL, request.from, request.to, request.nonce, flat]));
}

/** The asker signs its request. */
export function signSecretsRequest(
  identity: NodeIdentity,
  request: UnsignedSecretsRequest,
): SecretsRequest {
  return { ...request, signature: identity.sign(requestBytes(request)).toString("base64url") };
}

/** Whether `askerKey` (the asker's pinned identity key) signed this request. */
export function verifySecretsRequest(askerKey: string, request: SecretsRequest): boolean {
  return verifyNodeSignature(
    askerKey,
    requestBytes(request),
    Buffer.from(request.signature, "base64url"),
  );
}

/** The owner signs its answer to `request`. */
export function signSecretsAnswer(
  identity: NodeIdentity,
  request: Pick<SecretsRequest, "from" | "to" | "nonce">,
  entries: SealedConfigSecrets[],
): SecretsAnswer {
  return {
    entries,
    signature: identity.sign(answerBytes(request, entries)).toString("base64url"),
  };
}

/** Whether `ownerKey` (the owner's pinned identity key) signed this answer to `request`. */
export function verifySecretsAnswer(
  ownerKey: string,
  request: Pick<SecretsRequest, "from" | "to" | "nonce">,
  answer: SecretsAnswer,
): boolean {
  return verifyNodeSignature(
    ownerKey,
    answerBytes(request, answer.entries),
    Buffer.from(answer.signature, "base64url"),
  );
}

/** The record the token sealed to the owner is bound to: this request only. */
export function tokenContext(request: Pick<SecretsRequest, "from" | "to" | "nonce">): string {
  return `subscription-token:${request.from}:${request.to}:${request.nonce}`;
}

/** The record one config's secrets sealed to the asker are bound to. */
export function answerContext(nonce: string, configId: string): string {
  return `subscription-secrets:${nonce}:${configId}`;
}
