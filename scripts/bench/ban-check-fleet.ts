/**
 * The simulated fleet a ban-check round runs over, put into the replicated
 * state through the leader as an operator's cluster would have it: servers
 * registered on loopback ports, vantage probes added, users with configs
 * spread over the servers by normal placement.
 */
import { randomBytes } from "node:crypto";
import type { ControlPlaneService } from "../../cluster/control-plane-service.ts";
import { API_ACTOR } from "../../cluster/fsm/actors.ts";

export interface FleetPlan {
  servers: number;
  /** Live configs in all; every user holds {@link CONFIGS_PER_USER}. */
  configs: number;
  /** Share of servers (0-100) whose port the vantages see filtered. */
  filteredPercent: number;
  /** Loopback ports that answer and that the vantages reach. */
  openPorts: readonly number[];
  /** A loopback port that answers, but that the vantages see filtered. */
  filteredPort: number;
  vantageUrls: readonly string[];
  vantageToken: string;
  /** The fingerprint of the vantages' self-signed certificate, pinned as an admin would. */
  vantageCertSha256: string;
}

export interface SeededFleet {
  serverIds: string[];
  /** Servers on the filtered port. */
  filteredServers: number;
  users: number;
}

const CONFIGS_PER_USER = 2;
/** Commands proposed at once while seeding: enough to fill the leader's batches. */
const SEED_CONCURRENCY = 64;
const FIRST_USER_ID = 1_000_000_000;

/**
 * Whether the server at `position` (0-based) is filtered when `percent` of
 * all are: spread evenly over the fleet, `percent` of any long run of servers.
 */
export function isFilteredPosition(position: number, percent: number): boolean {
  return Math.floor(((position + 1) * percent) / 100) > Math.floor((position * percent) / 100);
}

/** Room for twice the fair share, so the configs of banned servers find a place elsewhere. */
export function serverCapacity(plan: Pick<FleetPlan, "servers" | "configs">): number {
  return Math.max(4, 2 * Math.ceil(plan.configs / plan.servers));
}

/** Runs `task` for every item with at most `limit` running at once; rejects with the first failure. */
async function forEachConcurrently<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Stands for a server's real public key: 32 random bytes in base64, as `wg` prints them. */
function randomWireGuardKey(): string {
  return randomBytes(32).toString("base64");
}

/** Proposes the whole fleet through `service` (the leader's); throws if any command is refused. */
export async function seedFleet(
  service: ControlPlaneService,
  plan: FleetPlan,
): Promise<SeededFleet> {
  const capacity = serverCapacity(plan);
  const width = String(plan.servers).length;
  const positions = Array.from({ length: plan.servers }, (_, position) => position);
  const serverIds = positions.map((position) => `vpn-${String(position + 1).padStart(width, "0")}`);
  let filteredServers = 0;
  let openServers = 0;
  await forEachConcurrently(positions, SEED_CONCURRENCY, async (position) => {
    const filtered = isFilteredPosition(position, plan.filteredPercent);
    const apiPort = filtered
      ? plan.filteredPort
      : plan.openPorts[openServers++ % plan.openPorts.length]!;
    if (filtered) filteredServers++;
    await service.run({
      type: "registerServer",
      serverId: serverIds[position]!,
      publicKey: randomWireGuardKey(),
      listenPort: 51820,
      apiPort,
      endpointHost: "127.0.0.1",
      capacity,
      region: "default",
      at: service.now(),
    });
  });
  for (const [position, url] of plan.vantageUrls.entries()) {
    await service.addVantageProbe({
      id: `vantage-${position + 1}`,
      url,
      token: plan.vantageToken,
      region: "default",
      isp: "",
      certSha256: plan.vantageCertSha256,
      insecure: false,
      actor: API_ACTOR,
    });
  }
  const users = Math.ceil(plan.configs / CONFIGS_PER_USER);
  const userIds = Array.from({ length: users }, (_, position) => String(FIRST_USER_ID + position));
  await forEachConcurrently(userIds, SEED_CONCURRENCY, (userId) =>
    service.run({ type: "upsertUser", userId, name: "", language: "en", at: service.now() }),
  );
  const owners = Array.from(
    { length: plan.configs },
    (_, position) => userIds[Math.floor(position / CONFIGS_PER_USER)]!,
  );
  await forEachConcurrently(owners, SEED_CONCURRENCY, (userId) => service.issueConfig({ userId }));
  return { serverIds, filteredServers, users };
}
