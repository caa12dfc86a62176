/**
 * Users' subscription URLs: issuing and re-issuing tokens (drawn here, on
 * the proposing node; the state keeps the digest and the token sealed under
 * the data keys), and building the URL again from the sealed token for the
 * bot and the admin API. URLs are built on SUBSCRIPTION_BASE_URL when the
 * operator sets it (a domain or CDN in front of the nodes), else on a server
 * that is in service, every node serving every subscription.
 */
import { isIP } from "node:net";
import { CommandRefusedError, type ControlPlaneService } from "../control-plane-service.ts";
import type { CommandResults } from "../fsm/command-results.ts";
import type { ControlPlaneState } from "../fsm/control-plane.ts";
import type { SealedSecrets } from "../sealed-secrets.ts";
import { SUBSCRIPTION_PATH_PREFIX } from "./subscription-endpoints.ts";
import { newSubscriptionToken, subscriptionTokenDigest } from "./subscription-token.ts";

export interface SubscriptionLinksOptions {
  service: ControlPlaneService;
  sealing: SealedSecrets;
  /** The base URLs are built on: SUBSCRIPTION_BASE_URL, or derived from the servers (see below). */
  baseUrl: (state: ControlPlaneState) => string | undefined;
}

/**
 * Without SUBSCRIPTION_BASE_URL: this node's own public port if its server
 * is active, else the first other active server's (every node serves every
 * subscription), with `scheme` (https when the nodes serve TLS).
 */
export function serverSubscriptionBase(
  state: ControlPlaneState,
  selfId: string,
  scheme: "http" | "https",
): string | undefined {
  const servers = state.servers().filter((server) => server.status === "active");
  const chosen =
    servers.find((server) => server.id === selfId && server.endpointHost) ??
    servers.find((server) => server.endpointHost);
  if (!chosen?.endpointHost) return undefined;
  const host = isIP(chosen.endpointHost) === 6 ? `[${chosen.endpointHost}]` : chosen.endpointHost;
  return `${scheme}://${host}:${chosen.apiPort}`;
}

export class SubscriptionLinks {
  constructor(private readonly options: SubscriptionLinksOptions) {}

  /**
   * Issues `userId`'s token (`replace`: a new one, the old one stops working;
   * otherwise only if they have none). The result never carries the token.
   */
  async issue(input: {
    userId: string;
    replace: boolean;
    updateId?: number;
  }): Promise<CommandResults["issueSubscription"] | undefined> {
    const { service, sealing } = this.options;
    const token = newSubscriptionToken();
    const answer = await service.run({
      type: "issueSubscription",
      userId: input.userId,
      tokenSha256: subscriptionTokenDigest(token),
      tokenSealed: sealing.seal("subscriptionToken", input.userId, token),
      replace: input.replace,
      at: service.now(),
      ...(input.updateId !== undefined ? { updateId: input.updateId } : {}),
    });
    return answer.value;
  }

  /** `userId`'s subscription URL as the state holds it now, or undefined when they have none. */
  urlOf(userId: string): string | undefined {
    const { service, sealing } = this.options;
    const state = service.localState;
    const subscription = state.subscriptionOf(userId);
    if (!subscription) return undefined;
    const token = sealing.open("subscriptionToken", userId, subscription.tokenSealed);
    if (!token.ok)
      throw new CommandRefusedError(
        "SUBSCRIPTION_TOKEN_UNREADABLE",
        "the subscription token cannot be opened; does this node hold every key in DATA_KEYS?",
      );
    const base = this.options.baseUrl(state);
    if (base === undefined)
      throw new CommandRefusedError(
        "SUBSCRIPTION_URL_UNKNOWN",
        "no server in service has a known public address to build the URL on; set SUBSCRIPTION_BASE_URL",
      );
    return `${base.replace(/\/+$/, "")}${SUBSCRIPTION_PATH_PREFIX}${token.value}`;
  }

  /** `userId`'s URL, issuing a token first when they have none. */
  async ensureUrl(userId: string): Promise<string> {
    if (!this.options.service.localState.subscriptionOf(userId))
      await this.issue({ userId, replace: false });
    const url = this.urlOf(userId);
    if (url === undefined)
      throw new CommandRefusedError("UNKNOWN_USER", `user ${userId} has no subscription`);
    return url;
  }
}
