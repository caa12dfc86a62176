/**
 * Puts a node's subscription endpoints together: the responder that serves
 * users' clients and the owner that answers other members, with their rate
 * limits.
 */
import type { WireGuardKeyPair } from "../../shared/crypto/wireguard-keys.ts";
import { KeyRateLimit } from "../../shared/key-rate-limit.ts";
import type { Logger } from "../../shared/logger.ts";
import type { ControlPlaneService } from "../control-plane-service.ts";
import type { NodeIdentity } from "../identity/node-identity.ts";
import { adminApiBaseUrl } from "../transport/peer-url.ts";
import { SubscriptionEndpoints } from "./subscription-endpoints.ts";
import { SubscriptionResponder } from "./subscription-responder.ts";
import { SubscriptionSecretOwner } from "./subscription-secret-owner.ts";

/**
 * Per client address: a burst of 60, then one request a second. Clients
 * refresh every hour or so; many users behind one carrier NAT share an
 * address, so the bound stays generous and only stops scans of tokens.
 */
export const CLIENT_LIMIT = { burst: 60, perSecond: 1, maxKeys: 50_000 };
/**
 * Per asking member: a burst of 100, then 10 requests a second, far above
 * what its users' refreshes need and slow for a member draining secrets.
 */
export const MEMBER_LIMIT = { burst: 100, perSecond: 10, maxKeys: 1024 };
/** How long another server may take to answer before its entries are left out. */
const OWNER_TIMEOUT_MS = 3000;

export interface SubscriptionEndpointsAssembly {
  selfId: string;
  identity: NodeIdentity;
  serverKeys: WireGuardKeyPair;
  service: ControlPlaneService;
  /** Every member's peer URL (the owners' public ports are derived from them). */
  memberUrls: () => ReadonlyMap<string, string>;
  logger: Logger;
  clock?: () => number;
}

export function assembleSubscriptionEndpoints(
  options: SubscriptionEndpointsAssembly,
): SubscriptionEndpoints {
  const { service } = options;
  const clock = options.clock ?? Date.now;
  return new SubscriptionEndpoints({
    responder: new SubscriptionResponder({
      selfId: options.selfId,
      identity: options.identity,
      serverKeys: options.serverKeys,
      // Linearizable when a leader answers; the state as applied here when none does.
      readState: () => service.read().catch(() => service.localState),
      memberBaseUrl: (nodeId) => {
        const url = options.memberUrls().get(nodeId);
        return url === undefined ? undefined : adminApiBaseUrl(url);
      },
      ownerTimeoutMs: OWNER_TIMEOUT_MS,
      clock,
    }),
    owner: new SubscriptionSecretOwner({
      selfId: options.selfId,
      identity: options.identity,
      serverKeys: options.serverKeys,
      state: () => service.localState,
      rateLimit: new KeyRateLimit({ ...MEMBER_LIMIT, clock }),
      clock,
    }),
    clientLimit: new KeyRateLimit({ ...CLIENT_LIMIT, clock }),
    logger: options.logger,
  });
}
