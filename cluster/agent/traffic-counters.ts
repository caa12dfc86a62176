/**
 * Which counters a traffic report carries: the raw counters of this
 * server's configs that changed since the state last took them, at most
 * `MAX_TRAFFIC_COUNTERS`, the ones waiting longest first, so a busy server's
 * every config gets its turn. A counter left out loses nothing: it is raw, so
 * the next report carries its growth.
 */
import type { PeerTrafficCounter } from "./traffic-source.ts";

/** A config of this server as the state holds it: its peer id and the counter last taken. */
export interface ReportableConfig {
  configId: string;
  peer: string;
  last: { peer: string; rawRxBytes: number; rawTxBytes: number; reportedAt: number } | undefined;
}

/** One entry of a `reportTraffic` command. */
export interface TrafficCounterEntry {
  configId: string;
  peer: string;
  rxBytes: number;
  txBytes: number;
}

/** The counters worth reporting, longest unreported first, at most `max`. */
export function countersToReport(
  configs: readonly ReportableConfig[],
  read: readonly PeerTrafficCounter[],
  max: number,
): TrafficCounterEntry[] {
  const byPeer = new Map(read.map((counter) => [counter.peer, counter]));
  const changed: { entry: TrafficCounterEntry; waitingSince: number }[] = [];
  for (const config of configs) {
    const counter = byPeer.get(config.peer);
    if (!counter) continue;
    const last = config.last?.peer === config.peer ? config.last : undefined;
    const unchanged = last
      ? last.rawRxBytes === counter.rxBytes && last.rawTxBytes === counter.txBytes
      : counter.rxBytes === 0 && counter.txBytes === 0;
    if (unchanged) continue;
    changed.push({
      entry: {
        configId: config.configId,
        peer: config.peer,
        rxBytes: counter.rxBytes,
        txBytes: counter.txBytes,
      },
      waitingSince: last?.reportedAt ?? Number.NEGATIVE_INFINITY,
    });
  }
  changed.sort(
    (a, b) =>
      a.waitingSince - b.waitingSince ||
      (a.entry.configId < b.entry.configId ? -1 : a.entry.configId > b.entry.configId ? 1 : 0),
  );
  return changed.slice(0, max).map(({ entry }) => entry);
}
