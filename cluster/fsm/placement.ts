/**
 * Placement: which server gets a new config. A pure decision over a summary
 * of each server, so it can be tested on its own and gives the same answer on
 * every node.
 */
import { err, ok, type Result } from "../../shared/result.ts";
import type { ConfigProtocol, ServerStatus } from "./records.ts";

/** What placement needs to know about one server. */
export interface PlacementCandidate {
  serverId: string;
  status: ServerStatus;
  region: string;
  capacity: number;
  liveConfigs: number;
  /** Clients cannot connect to a server whose public endpoint is not known yet. */
  endpointKnown: boolean;
  /** AmneziaWG configs need a server that advertises AmneziaWG parameters. */
  supportsAmnezia: boolean;
}

/** What the new config needs. */
export interface PlacementRequest {
  protocol: ConfigProtocol;
  /** Only servers with this region label, when given. */
  region?: string | undefined;
}

/** Why no server could be chosen. */
export type PlacementErrorCode = "NO_CAPACITY" | "NO_CAPACITY_IN_REGION";

/** Whether a server can take one more config of this request, ignoring region. */
export function canTakeConfig(candidate: PlacementCandidate, protocol: ConfigProtocol): boolean {
  return (
    candidate.status === "active" &&
    candidate.endpointKnown &&
    candidate.liveConfigs < candidate.capacity &&
    (protocol === "wireguard" || candidate.supportsAmnezia)
  );
}

/**
 * Whether `a` is less loaded than `b` (live configs / capacity), ties broken
 * by server id. Fractions are compared by cross-multiplying integers, so no
 * floating-point rounding can make two nodes disagree.
 */
function isPreferred(a: PlacementCandidate, b: PlacementCandidate): boolean {
  const left = a.liveConfigs * b.capacity;
  const right = b.liveConfigs * a.capacity;
  if (left !== right) return left < right;
  return a.serverId < b.serverId;
}

/**
 * Picks the least loaded eligible server: `active`, endpoint known, below
 * capacity, supporting the protocol, and in the requested region when one is
 * given. `banned`, `draining` and `down` servers are never chosen.
 */
export function chooseServer(
  candidates: Iterable<PlacementCandidate>,
  request: PlacementRequest,
): Result<string, PlacementErrorCode> {
  let best: PlacementCandidate | undefined;
  for (const candidate of candidates) {
    if (request.region !== undefined && candidate.region !== request.region) continue;
    if (!canTakeConfig(candidate, request.protocol)) continue;
    if (!best || isPreferred(candidate, best)) best = candidate;
  }
  if (best) return ok(best.serverId);
  const what = request.protocol === "amneziawg" ? "an AmneziaWG config" : "a config";
  if (request.region !== undefined)
    return err(
      "NO_CAPACITY_IN_REGION",
      `no active server in region ${request.region} has room for ${what}; try another region or ask an admin`,
    );
  return err(
    "NO_CAPACITY",
    `no active server has room for ${what}; an admin must add servers or raise capacity`,
  );
}
