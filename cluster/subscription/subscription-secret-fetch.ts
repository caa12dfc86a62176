/**
 * The asker's side of the secrets exchange (secret-exchange.ts): one signed
 * request to one owner, answered with the secrets of the configs the owner
 * vouches for. Whatever goes wrong (the owner is down, slow, refuses, or
 * answers something that does not verify) gives no secrets, never an
 * error: the subscription is served without that owner's entries.
 */
import { randomBytes } from "node:crypto";
import { generateKeyPair, type WireGuardKeyPair } from "../../shared/crypto/wireguard-keys.ts";
import {
  openWithWireGuardKey,
  sealToWireGuardKey,
} from "../../shared/crypto/wireguard-sealed-box.ts";
import type { NodeIdentity } from "../identity/node-identity.ts";
import type { ConfigSecrets } from "./config-secrets.ts";
import {
  answerContext,
  type SecretsRequest,
  SUBSCRIPTION_SECRETS_PATH,
  secretsAnswerSchema,
  signSecretsRequest,
  tokenContext,
  verifySecretsAnswer,
} from "./secret-exchange.ts";

/** Who to ask and how to check the answer. */
export interface SecretOwnerAddress {
  ownerId: string;
  /** `http(s)://host:port` of the owner's public port. */
  baseUrl: string;
  /** The owner server's WireGuard key: the token is sealed to it. */
  serverPublicKey: string;
  /** The owner's pinned identity key: its answer must be signed with it. */
  identityKey: string;
}

export interface SecretFetchOptions {
  selfId: string;
  identity: NodeIdentity;
  timeoutMs: number;
  clock?: () => number;
}

const MAX_ANSWER_BYTES = 64 * 1024;

function parseSecrets(text: string): ConfigSecrets | undefined {
  try {
    const value = JSON.parse(text) as Record<string, unknown> | null;
    if (
      value?.kind === "wireguard" &&
      typeof value.clientPrivateKey === "string" &&
      typeof value.presharedKey === "string"
    )
      return {
        kind: "wireguard",
        clientPrivateKey: value.clientPrivateKey,
        presharedKey: value.presharedKey,
      };
    if (value?.kind === "shadowsocks" && typeof value.password === "string")
      return { kind: "shadowsocks", password: value.password };
  } catch {}
  return undefined;
}

/** A signed request for `configIds` with the user's `token`, and the one-time key its answer opens with. */
export function buildSecretsRequest(
  options: SecretFetchOptions,
  owner: SecretOwnerAddress,
  token: string,
  configIds: readonly string[],
): { request: SecretsRequest; replyKeys: WireGuardKeyPair } {
  const replyKeys = generateKeyPair();
  const identifies = {
    from: options.selfId,
    to: owner.ownerId,
    nonce: randomBytes(32).toString("base64url"),
  };
  const request = signSecretsRequest(options.identity, {
    ...identifies,
    at: (options.clock ?? Date.now)(),
    configIds: [...configIds],
    replyKey: replyKeys.publicKey,
    tokenSealed: sealToWireGuardKey(owner.serverPublicKey, tokenContext(identifies), token),
  });
  return { request, replyKeys };
}

/** The secrets in an owner's answer to `request`, by config id: none unless the owner signed it. */
export function openSecretsAnswer(
  json: unknown,
  request: SecretsRequest,
  replyKeys: WireGuardKeyPair,
  ownerIdentityKey: string,
): Map<string, ConfigSecrets> {
  const found = new Map<string, ConfigSecrets>();
  const answer = secretsAnswerSchema.safeParse(json);
  if (!answer.success || !verifySecretsAnswer(ownerIdentityKey, request, answer.data)) return found;
  const asked = new Set(request.configIds);
  for (const entry of answer.data.entries) {
    if (!asked.has(entry.configId)) continue;
    const opened = openWithWireGuardKey(
      replyKeys,
      answerContext(request.nonce, entry.configId),
      entry.sealed,
    );
    const secrets = opened.ok ? parseSecrets(opened.value) : undefined;
    if (secrets) found.set(entry.configId, secrets);
  }
  return found;
}

/** Asks `owner` for the secrets of `configIds` with the user's `token`; by config id, those it gave. */
export async function fetchConfigSecrets(
  options: SecretFetchOptions,
  owner: SecretOwnerAddress,
  token: string,
  configIds: readonly string[],
): Promise<Map<string, ConfigSecrets>> {
  const { request, replyKeys } = buildSecretsRequest(options, owner, token, configIds);
  let text: string;
  try {
    const response = await fetch(owner.baseUrl + SUBSCRIPTION_SECRETS_PATH, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(request),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    if (response.status !== 200) return new Map();
    text = await response.text();
  } catch {
    return new Map();
  }
  if (text.length > MAX_ANSWER_BYTES) return new Map();
  try {
    return openSecretsAnswer(JSON.parse(text), request, replyKeys, owner.identityKey);
  } catch {
    return new Map();
  }
}
