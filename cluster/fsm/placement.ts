/**
 * Placement: which server gets a new config. A pure decision over a summary
 * of each server, so it can be tested on its own and gives the same answer on
 * every node.
 */
import { err, ok, type Result } from "../../shared/result.ts";
import { type ConfigProtocol, PROTOCOL_NAMES, type ServerStatus } from "./records.ts";

/** What placement needs to know about one server. */
export interface PlacementCandidate {
  serverId: string;
  status: ServerStatus;
  region: string;
  capacity: number;
  liveConfigs: number;
  /** Clients cannot connect to a server whose public endpoint is not known yet. */
  endpointKnown: boolean;
  /** What the server offers (Server.protocols). */
  protocols: readonly ConfigProtocol[];
  /** Shadowsocks ports still free in the server's range (0 when it offers none). */
  freeShadowsocksPorts: number;
}

/** What the new config needs. */
export interface PlacementRequest {
  protocol: ConfigProtocol;
  /** Only servers with this region label, when given. */
  region?: string | undefined;
}

/** Why no server could be chosen. */
export type PlacementErrorCode = "NO_CAPACITY" | "NO_CAPACITY_IN_REGION" | "PROTOCOL_NOT_OFFERED";

/** Whether a server can take one more config of this request, ignoring region. */
export function canTakeConfig(candidate: PlacementCandidate, protocol: ConfigProtocol): boolean {
  return (
    candidate.status === "active" &&
    candidate.endpointKnown &&
    candidate.liveConfigs < candidate.capacity &&
    candidate.protocols.includes(protocol) &&
    (protocol !== "shadowsocks" || candidate.freeShadowsocksPorts > 0)
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
 * capacity, offering the protocol (with a free port, for Shadowsocks), and in
 * the requested region when one is given. `banned`, `draining` and `down`
 * servers are never chosen. When active servers exist but none offers the
 * protocol, says so rather than blaming capacity.
 */
export function chooseServer(
  candidates: Iterable<PlacementCandidate>,
  request: PlacementRequest,
): Result<string, PlacementErrorCode> {
  let best: PlacementCandidate | undefined;
  let anyActive = false;
  let offered = false;
  for (const candidate of candidates) {
    if (candidate.status === "active") {
      anyActive = true;
      if (candidate.protocols.includes(request.protocol)) offered = true;
    }
    if (request.region !== undefined && candidate.region !== request.region) continue;
    if (!canTakeConfig(candidate, request.protocol)) continue;
    if (!best || isPreferred(candidate, best)) best = candidate;
  }
  if (best) return ok(best.serverId);
  const name = PROTOCOL_NAMES[request.protocol];
  if (anyActive && !offered)
    return err(
      "PROTOCOL_NOT_OFFERED",
      `no active server offers ${name}; ask for another protocol, or an admin must enable it on a server (PROTOCOLS)`,
    );
  const what = request.protocol === "wireguard" ? "a config" : `a ${name} config`;
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
