/**
 * The owner's side of the secrets exchange (secret-exchange.ts): a server
 * hands a subscription's secrets only for its own configs, only to a member
 * that proves its pinned identity, and only with the user's token, which it
 * checks against the digest in the replicated state. Requests are counted
 * per asking member, so even a member holding every token draws secrets
 * slowly.
 */
import type { WireGuardKeyPair } from "../../shared/crypto/wireguard-keys.ts";
import {
  openWithWireGuardKey,
  sealToWireGuardKey,
} from "../../shared/crypto/wireguard-sealed-box.ts";
import type { KeyRateLimit } from "../../shared/key-rate-limit.ts";
import type { ControlPlaneState } from "../fsm/control-plane.ts";
import type { NodeIdentity } from "../identity/node-identity.ts";
import { openConfigSecrets } from "./config-secrets.ts";
import {
  answerContext,
  REQUEST_CLOCK_SKEW_MS,
  type SealedConfigSecrets,
  type SecretsAnswer,
  secretsRequestSchema,
  signSecretsAnswer,
  tokenContext,
  verifySecretsRequest,
} from "./secret-exchange.ts";
import { isSubscriptionToken, subscriptionTokenDigest } from "./subscription-token.ts";

export interface SecretOwnerOptions {
  selfId: string;
  identity: NodeIdentity;
  /** This server's WireGuard key pair: it opens what was sealed to the server. */
  serverKeys: WireGuardKeyPair;
  /** The replicated state as this node applied it. */
  state: () => ControlPlaneState;
  /** Requests allowed per asking member. */
  rateLimit: KeyRateLimit;
  clock?: () => number;
}

/** Why a request was not answered with secrets. */
export type SecretRefusalCode =
  /** Not a request, or not signed by a member's pinned key: answered as to a stranger. */
  "NOT_A_MEMBER_REQUEST" | "TOO_MANY_REQUESTS" | "STALE_REQUEST" | "UNKNOWN_TOKEN";

export type OwnerAnswer =
  | { ok: true; answer: SecretsAnswer; asker: string; served: number }
  | { ok: false; code: SecretRefusalCode; asker?: string };

export class SubscriptionSecretOwner {
  private readonly clock: () => number;

  constructor(private readonly options: SecretOwnerOptions) {
    this.clock = options.clock ?? Date.now;
  }

  /** Answers one request body; never throws. */
  answer(body: unknown): OwnerAnswer {
    const { selfId, identity, serverKeys, rateLimit } = this.options;
    const parsed = secretsRequestSchema.safeParse(body);
    if (!parsed.success || parsed.data.to !== selfId)
      return { ok: false, code: "NOT_A_MEMBER_REQUEST" };
    const request = parsed.data;
    const state = this.options.state();
    const askerKey = state.pinnedKeyOf(request.from);
    if (askerKey === undefined || request.from === selfId)
      return { ok: false, code: "NOT_A_MEMBER_REQUEST" };
    // Counted before the signature is checked: checking costs more than refusing.
    if (!rateLimit.take(request.from))
      return { ok: false, code: "TOO_MANY_REQUESTS", asker: request.from };
    if (!verifySecretsRequest(askerKey, request))
      return { ok: false, code: "NOT_A_MEMBER_REQUEST" };
    if (Math.abs(this.clock() - request.at) > REQUEST_CLOCK_SKEW_MS)
      return { ok: false, code: "STALE_REQUEST", asker: request.from };
    const token = openWithWireGuardKey(serverKeys, tokenContext(request), request.tokenSealed);
    const userId =
      token.ok && isSubscriptionToken(token.value)
        ? state.userIdOfSubscriptionDigest(subscriptionTokenDigest(token.value))
        : undefined;
    if (userId === undefined) return { ok: false, code: "UNKNOWN_TOKEN", asker: request.from };
    const entries: SealedConfigSecrets[] = [];
    for (const configId of new Set(request.configIds)) {
      const config = state.config(configId);
      // Only this user's live configs on this very server.
      if (!config || config.userId !== userId || config.revokedAt !== null) continue;
      if (config.serverId !== selfId) continue;
      const secrets = openConfigSecrets(serverKeys, config);
      if (!secrets) continue;
      entries.push({
        configId,
        sealed: sealToWireGuardKey(
          request.replyKey,
          answerContext(request.nonce, configId),
          JSON.stringify(secrets),
        ),
      });
    }
    return {
      ok: true,
      answer: signSecretsAnswer(identity, request, entries),
      asker: request.from,
      served: entries.length,
    };
  }
}
