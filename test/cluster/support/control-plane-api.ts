/**
 * Helpers for suites that drive the control-plane API of real node
 * processes: waiting for the fleet to look a certain way, retrying an
 * idempotent issue across nodes while they fail over, and checking addresses
 * against subnets without the node's own code.
 */
import type { Cluster, HarnessNode } from "../../../scripts/lib/cluster-harness.ts";
import { waitUntil } from "../../../scripts/lib/cluster-harness.ts";
import {
  ControlPlaneClient,
  type IssuedConfig,
  type ServerView,
} from "../../../scripts/lib/control-plane-client.ts";
import type { ApiResult } from "../../../scripts/lib/node-client.ts";
import { sleep } from "../../../shared/sleep.ts";

/** The control-plane API of one node of `cluster`. */
export function apiOf(cluster: Cluster, node: HarnessNode): ControlPlaneClient {
  return new ControlPlaneClient(node.url, cluster.adminApiToken);
}

/** One line for a failed call, for assertion messages. */
export function describeFailure(result: ApiResult<unknown>): string {
  return result.ok
    ? "ok"
    : `${result.error.status} ${result.error.code}: ${result.error.message.slice(0, 300)}`;
}

/** The value of a call that must have succeeded; throws with the node's error otherwise. */
export function succeeded<Value>(result: ApiResult<Value>, what: string): Value {
  if (!result.ok) throw new Error(`${what} failed: ${describeFailure(result)}`);
  return result.value;
}

/** `a.b.c.d` as a 32-bit number; throws for anything else. */
function ipv4Number(text: string): number {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((part) => /^\d{1,3}$/.test(part) && Number(part) < 256))
    throw new Error(`${text} is not an IPv4 address`);
  return parts.reduce((value, part) => value * 256 + Number(part), 0);
}

/** Whether `address` lies inside `cidr` (`10.64.1.0/24`). */
export function inSubnet(address: string, cidr: string): boolean {
  const [network, prefix] = cidr.split("/") as [string, string];
  const size = 2 ** (32 - Number(prefix));
  const start = ipv4Number(network);
  const value = ipv4Number(address);
  return value >= start && value < start + size;
}

/** Whether two subnets share any address. */
export function subnetsOverlap(a: string, b: string): boolean {
  const bounds = (cidr: string): [number, number] => {
    const [network, prefix] = cidr.split("/") as [string, string];
    const start = ipv4Number(network);
    return [start, start + 2 ** (32 - Number(prefix))];
  };
  const [startA, endA] = bounds(a);
  const [startB, endB] = bounds(b);
  return startA < endB && startB < endA;
}

/** Polls `GET /v1/servers` on `api` until `holds` is true of the list; resolves with it. */
export async function serversWhen(
  api: ControlPlaneClient,
  holds: (servers: ServerView[]) => boolean,
  timeoutMs: number,
  description: string,
): Promise<ServerView[]> {
  let last = "no answer yet";
  let matching: ServerView[] | undefined;
  await waitUntil(
    async () => {
      const servers = await api.servers();
      last = servers.ok ? JSON.stringify(servers.value) : describeFailure(servers);
      if (servers.ok && holds(servers.value)) matching = servers.value;
      return matching !== undefined;
    },
    timeoutMs,
    description,
  ).catch((error: Error) => {
    throw new Error(`${error.message}; last GET /v1/servers: ${last.slice(0, 2_000)}`);
  });
  return matching!;
}

/** What a retried issue ended with, and how many calls it took. */
export interface RetriedIssue {
  result: ApiResult<IssuedConfig>;
  attempts: number;
}

/**
 * Sends `POST /v1/users/:userId/configs` with `idempotencyKey` to the
 * running nodes in turn until one answers with anything other than "no
 * answer" or 503, backing off from 100 ms to 1 s between tries; gives up
 * after `timeoutMs`. This is what a careful client does across a failover.
 */
export async function issueRetrying(
  cluster: Cluster,
  userId: string,
  idempotencyKey: string,
  timeoutMs: number,
): Promise<RetriedIssue> {
  const deadline = Date.now() + timeoutMs;
  let delayMs = 100;
  let last: ApiResult<IssuedConfig> | undefined;
  for (let attempts = 1; ; attempts++) {
    const running = cluster.nodes.filter((node) => node.running);
    const node = running[attempts % Math.max(1, running.length)];
    if (node) {
      last = await apiOf(cluster, node).issueConfig(userId, { idempotencyKey });
      const retryable = !last.ok && (last.error.status === 0 || last.error.status === 503);
      if (!retryable) return { result: last, attempts };
    }
    if (Date.now() + delayMs > deadline) {
      throw new Error(
        `no node answered the issue of ${idempotencyKey} within ${timeoutMs} ms; last: ${last ? describeFailure(last) : "no node running"}`,
      );
    }
    await sleep(delayMs);
    delayMs = Math.min(delayMs * 2, 1_000);
  }
}
