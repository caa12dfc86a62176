/**
 * Turning this server's Shadowsocks configs from the replicated state into
 * the ports ss-manager should serve, and comparing that with what it serves.
 * A port whose password cannot be opened is skipped with a reason instead of
 * blocking everyone else's.
 */
import type { ServerShadowsocksPort } from "../fsm/records.ts";
import type { OpenPresharedKey } from "./desired-peers.ts";
import type { ManagedPort } from "./shadowsocks-driver.ts";

/** A config's port left unserved, and why. */
export interface SkippedPort {
  configId: string;
  port: number;
  reason: string;
}

/** The ports to serve, with each password opened with this server's key. */
export function desiredPortsFrom(
  ports: readonly ServerShadowsocksPort[],
  openPassword: OpenPresharedKey,
): { ports: ManagedPort[]; skipped: SkippedPort[] } {
  const desired: ManagedPort[] = [];
  const skipped: SkippedPort[] = [];
  for (const port of ports) {
    const password = openPassword(port.passwordSealed, port.sealedFor);
    if (password.ok)
      desired.push({ port: port.port, password: password.value, method: port.method });
    else skipped.push({ configId: port.configId, port: port.port, reason: password.error.message });
  }
  return { ports: desired.sort((a, b) => a.port - b.port), skipped };
}

/** What to change so that `actual` becomes `desired`. */
export interface PortDiff {
  /** Ports to remove first: gone from the state, or with another password or cipher. */
  remove: number[];
  /** Ports to add then. */
  add: ManagedPort[];
}

export function diffPorts(
  desired: readonly ManagedPort[],
  actual: readonly ManagedPort[],
): PortDiff {
  const wanted = new Map(desired.map((port) => [port.port, port]));
  const served = new Map(actual.map((port) => [port.port, port]));
  const remove: number[] = [];
  for (const [number, port] of served) {
    const want = wanted.get(number);
    if (!want || want.password !== port.password || want.method !== port.method)
      remove.push(number);
  }
  const add = desired.filter((port) => {
    const have = served.get(port.port);
    return !have || remove.includes(port.port);
  });
  return { remove: remove.sort((a, b) => a - b), add };
}

export function isEmptyPortDiff(diff: PortDiff): boolean {
  return diff.remove.length === 0 && diff.add.length === 0;
}
