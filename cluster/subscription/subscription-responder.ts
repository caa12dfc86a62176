/**
 * Answers `GET /s/<token>`: finds the user by the token's digest in the
 * replicated state, plans their entries from the state as it is now
 * (subscription-plan.ts), opens the secrets of configs on this node's own
 * server and asks every other server for its own (in parallel; an owner
 * that does not answer in time is left out, the answer is still served),
 * and renders the format the client asked for, with the user's traffic and
 * quota in its headers.
 */
import type { WireGuardKeyPair } from "../../shared/crypto/wireguard-keys.ts";
import { DEFAULT_CLIENT_DNS } from "../../shared/env-variables.ts";
import type {
  RenderedSubscription,
  SubscriptionEntry,
  SubscriptionFormat,
} from "../client-config/subscription/entries.ts";
import type { ControlPlaneState } from "../fsm/control-plane.ts";
import type { NodeIdentity } from "../identity/node-identity.ts";
import { type ConfigSecrets, hasSubscriptionSecrets, openConfigSecrets } from "./config-secrets.ts";
import { chooseFormat } from "./format-selection.ts";
import { renderSubscription, subscriptionHeaders } from "./render-subscription.ts";
import { type PlannedEntry, planSubscription } from "./subscription-plan.ts";
import { fetchConfigSecrets } from "./subscription-secret-fetch.ts";
import { isSubscriptionToken, subscriptionTokenDigest } from "./subscription-token.ts";
import { subscriptionUsage } from "./subscription-usage.ts";

export interface SubscriptionResponderOptions {
  selfId: string;
  identity: NodeIdentity;
  /** This server's WireGuard key pair: it opens its own configs' secrets. */
  serverKeys: WireGuardKeyPair;
  /** The replicated state, read linearizably when a leader is known, else as applied here. */
  readState: () => Promise<ControlPlaneState>;
  /** `http(s)://host:port` of a member's public port, from its peer URL. */
  memberBaseUrl: (nodeId: string) => string | undefined;
  /** How long an owner may take to answer. */
  ownerTimeoutMs: number;
  clock?: () => number;
}

export type SubscriptionResponse =
  /** No such token: the caller answers as to any stranger. */
  | { kind: "unknown" }
  | { kind: "badFormat" }
  | {
      kind: "served";
      format: SubscriptionFormat;
      rendered: RenderedSubscription;
      headers: Record<string, string>;
      /** Entries served, and planned ones left out (their server did not answer, or holds no copy). */
      served: number;
      leftOut: number;
    };

export class SubscriptionResponder {
  private readonly clock: () => number;

  constructor(private readonly options: SubscriptionResponderOptions) {
    this.clock = options.clock ?? Date.now;
  }

  async respond(
    token: string,
    formatParameter: string | null,
    userAgent: string | undefined,
  ): Promise<SubscriptionResponse> {
    if (!isSubscriptionToken(token)) return { kind: "unknown" };
    const state = await this.options.readState();
    const userId = state.userIdOfSubscriptionDigest(subscriptionTokenDigest(token));
    if (userId === undefined) return { kind: "unknown" };
    const choice = chooseFormat(formatParameter, userAgent);
    if (!choice.ok) return { kind: "badFormat" };
    const now = this.clock();
    const planned = planSubscription(state, userId, now).filter((entry) =>
      hasSubscriptionSecrets(entry.config),
    );
    const secrets = await this.gatherSecrets(state, token, planned);
    const entries: SubscriptionEntry[] = [];
    for (const entry of planned) {
      const opened = secrets.get(entry.config.id);
      const served = opened && toEntry(entry, opened);
      if (served) entries.push(served);
    }
    const usage = subscriptionUsage(
      planned.map((entry) => entry.config),
      state.trafficUsage(userId, now),
    );
    const rendered = renderSubscription(choice.format, entries, usage);
    return {
      kind: "served",
      format: choice.format,
      rendered,
      headers: subscriptionHeaders(choice.format, rendered, usage),
      served: entries.length,
      leftOut: state.liveConfigsOfUser(userId).length - entries.length,
    };
  }

  /** The secrets of every planned config: this server's opened here, the others' asked for. */
  private async gatherSecrets(
    state: ControlPlaneState,
    token: string,
    planned: readonly PlannedEntry[],
  ): Promise<Map<string, ConfigSecrets>> {
    const { selfId, serverKeys } = this.options;
    const found = new Map<string, ConfigSecrets>();
    const byOwner = new Map<string, PlannedEntry[]>();
    for (const entry of planned) {
      if (entry.server.id === selfId) {
        const opened = openConfigSecrets(serverKeys, entry.config);
        if (opened) found.set(entry.config.id, opened);
        continue;
      }
      const ofOwner = byOwner.get(entry.server.id);
      if (ofOwner) ofOwner.push(entry);
      else byOwner.set(entry.server.id, [entry]);
    }
    const answers = await Promise.all(
      [...byOwner].map(([ownerId, entries]) => this.askOwner(state, ownerId, token, entries)),
    );
    for (const answer of answers) for (const [id, opened] of answer) found.set(id, opened);
    return found;
  }

  private askOwner(
    state: ControlPlaneState,
    ownerId: string,
    token: string,
    entries: readonly PlannedEntry[],
  ): Promise<Map<string, ConfigSecrets>> {
    const baseUrl = this.options.memberBaseUrl(ownerId);
    const identityKey = state.pinnedKeyOf(ownerId);
    if (baseUrl === undefined || identityKey === undefined) return Promise.resolve(new Map());
    return fetchConfigSecrets(
      {
        selfId: this.options.selfId,
        identity: this.options.identity,
        timeoutMs: this.options.ownerTimeoutMs,
        clock: this.clock,
      },
      { ownerId, baseUrl, serverPublicKey: entries[0]!.server.publicKey, identityKey },
      token,
      entries.map((entry) => entry.config.id),
    );
  }
}

/** The entry a client imports; undefined when the secrets do not fit the config's kind. */
function toEntry(entry: PlannedEntry, secrets: ConfigSecrets): SubscriptionEntry | undefined {
  const { config, server } = entry;
  const host = server.endpointHost!;
  if (config.shadowsocks)
    return secrets.kind === "shadowsocks"
      ? {
          kind: "shadowsocks",
          name: entry.name,
          host,
          port: config.shadowsocks.port,
          method: config.shadowsocks.method,
          password: secrets.password,
        }
      : undefined;
  if (secrets.kind !== "wireguard") return undefined;
  return {
    kind: "wireguard",
    name: entry.name,
    host,
    port: server.listenPort,
    clientPrivateKey: secrets.clientPrivateKey,
    clientAddress: config.address,
    serverPublicKey: server.publicKey,
    presharedKey: secrets.presharedKey,
    dns: server.clientDns ?? DEFAULT_CLIENT_DNS,
    mtu: server.mtu,
    amnezia: server.amnezia,
  };
}
