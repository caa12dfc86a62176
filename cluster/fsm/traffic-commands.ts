/**
 * Applying traffic reports, quotas and periods.
 *
 * A server reports raw counters (cumulative since each peer was added to its
 * interface), never deltas, and the state keeps the last raw counter of each
 * config. So a report proposed twice (a retry after a timeout) counts
 * nothing the second time, a lost report is made up by the next one, and a
 * restarted node needs no memory of its own: it counts from the state. A raw
 * counter lower than the last one was reset (the interface, the peer or the
 * host was recreated) and counts from zero.
 */
import type { ApplyContext } from "./apply-context.ts";
import { applied, repeated } from "./apply-result.ts";
import type { CommandOf } from "./commands.ts";
import type { ControlPlaneData } from "./control-plane-data.ts";
import { refuse, unknownServer, unknownUser } from "./errors.ts";
import type { ConfigTraffic, UserTraffic } from "./records.ts";
import { effectiveSetting, integerSetting } from "./settings.ts";
import { trafficPeerOf } from "./traffic-ledger.ts";
import { periodStartAt } from "./traffic-period.ts";
import { quotaBytesOf, quotaDecision, settleQuota } from "./traffic-quota.ts";
import { type TrafficUsageSource, trafficUsageOf } from "./traffic-usage.ts";

/** What a raw counter adds: its growth since `last`, or all of it after a reset. */
export function counterGrowth(raw: number, last: number): number {
  return raw >= last ? raw - last : raw;
}

/** The usage view of the state apply works on. */
export function trafficUsageSource(data: ControlPlaneData): TrafficUsageSource {
  return {
    userTraffic: (userId) => {
      const account = data.traffic.users.get(userId);
      return account && { ...account };
    },
    setting: (key) => effectiveSetting(data.settings, key),
    trafficPeriodStart: () => (data.traffic.periodStart === 0 ? null : data.traffic.periodStart),
  };
}

/**
 * Counts one server's report. Refused whole (nothing counted) when it comes
 * sooner than `trafficReportSeconds` after the server's last one, names a
 * config twice, or names a config that is not this server's. A counter of a
 * peer the config no longer has (re-keyed since it was read) is skipped.
 */
export function reportTraffic(
  data: ControlPlaneData,
  context: ApplyContext,
  command: CommandOf<"reportTraffic">,
) {
  const server = data.servers.get(command.serverId);
  if (!server) return unknownServer(command.serverId);
  const ledger = data.traffic;
  const lastAt = ledger.serverReportedAt.get(server.id);
  const intervalMs = integerSetting(data.settings, "trafficReportSeconds") * 1000;
  if (lastAt !== undefined && command.at < lastAt + intervalMs)
    return refuse(
      "TRAFFIC_REPORT_TOO_SOON",
      `server ${server.id} reported traffic at ${lastAt}; the next report is due from ${lastAt + intervalMs}`,
    );
  const seen = new Set<string>();
  for (const counter of command.counters) {
    if (seen.has(counter.configId))
      return refuse("TRAFFIC_REPORT_INVALID", `config ${counter.configId} is named twice`);
    seen.add(counter.configId);
    if (data.configs.get(counter.configId)?.serverId !== server.id)
      return refuse(
        "TRAFFIC_REPORT_INVALID",
        `config ${counter.configId} is not a config of server ${server.id}`,
      );
  }

  let counted = 0;
  let rxBytes = 0;
  let txBytes = 0;
  const touched: UserTraffic[] = [];
  for (const counter of command.counters) {
    const config = data.configs.get(counter.configId)!;
    if (counter.peer !== trafficPeerOf(config)) continue;
    const last = ledger.configs.get(config.id);
    const samePeer = last?.peer === counter.peer;
    const rx = counterGrowth(counter.rxBytes, samePeer ? last.rawRxBytes : 0);
    const tx = counterGrowth(counter.txBytes, samePeer ? last.rawTxBytes : 0);
    const next: ConfigTraffic = {
      configId: config.id,
      peer: counter.peer,
      rawRxBytes: counter.rxBytes,
      rawTxBytes: counter.txBytes,
      reportedAt: command.at,
      rxBytes: (last?.rxBytes ?? 0) + rx,
      txBytes: (last?.txBytes ?? 0) + tx,
    };
    ledger.configs.set(config.id, next);
    counted++;
    if (rx + tx === 0) continue;
    rxBytes += rx;
    txBytes += tx;
    const account = ledger.userAccount(config.userId);
    account.rxBytes += rx;
    account.txBytes += tx;
    if (!touched.includes(account)) touched.push(account);
  }
  ledger.serverReportedAt.set(server.id, command.at);
  const warned: string[] = [];
  const suspended: string[] = [];
  // Accounts in the order the report first touched them: the same on every node.
  for (const account of touched) {
    const transition = settleQuota(data, context, account, command.at);
    if (transition === "warned") warned.push(account.userId);
    if (transition === "suspended") suspended.push(account.userId);
  }
  return applied({
    counted,
    skipped: command.counters.length - counted,
    rxBytes,
    txBytes,
    warned,
    suspended,
  });
}

/** What an admin's quota command answers: the user's usage after it. */
function usageAnswer(data: ControlPlaneData, command: { userId: string; at: number }) {
  return applied({ usage: trafficUsageOf(trafficUsageSource(data), command.userId, command.at) });
}

/** Sets (or clears, with null) a user's quota override and settles what it means now. */
export function setUserQuota(
  data: ControlPlaneData,
  context: ApplyContext,
  command: CommandOf<"setUserQuota">,
) {
  if (!data.users.has(command.userId)) return unknownUser(command.userId);
  const account = data.traffic.userAccount(command.userId);
  account.quotaGb = command.quotaGb;
  // The new quota decides: an earlier lift does not carry over, and the warning comes again below 80 % of it.
  account.lifted = false;
  account.warned = false;
  settleQuota(data, context, account, command.at);
  return usageAnswer(data, command);
}

/** Ends a user's suspension for the rest of the period. */
export function liftTrafficSuspension(
  data: ControlPlaneData,
  context: ApplyContext,
  command: CommandOf<"liftTrafficSuspension">,
) {
  if (!data.users.has(command.userId)) return unknownUser(command.userId);
  const account = data.traffic.users.get(command.userId);
  if (!account?.suspended)
    return refuse("NOT_SUSPENDED", `user ${command.userId} is not suspended for traffic`);
  account.lifted = true;
  settleQuota(data, context, account, command.at);
  return usageAnswer(data, command);
}

/**
 * Starts a period: every count starts again and suspensions end. The first
 * period a cluster starts only sets the date: what was counted before it
 * stays. Counters of configs no longer live are dropped, as are accounts
 * left with nothing to remember.
 */
export function startTrafficPeriod(
  data: ControlPlaneData,
  context: ApplyContext,
  command: CommandOf<"startTrafficPeriod">,
) {
  const ledger = data.traffic;
  const expected = periodStartAt(command.at, integerSetting(data.settings, "trafficResetDay"));
  if (command.periodStart !== expected)
    return refuse(
      "INVALID_PERIOD",
      `the period at ${command.at} starts at ${expected}, not ${command.periodStart}`,
    );
  if (command.periodStart <= ledger.periodStart)
    return repeated({ periodStart: ledger.periodStart, restored: 0 });
  const first = ledger.periodStart === 0;
  ledger.periodStart = command.periodStart;
  if (first) return applied({ periodStart: command.periodStart, restored: 0 });
  let restored = 0;
  for (const [configId, counter] of ledger.configs) {
    const config = data.configs.get(configId);
    if (!config || config.revokedAt !== null) ledger.configs.delete(configId);
    else {
      counter.rxBytes = 0;
      counter.txBytes = 0;
    }
  }
  for (const [userId, account] of ledger.users) {
    if (account.suspended) restored++;
    if (account.quotaGb === null) {
      ledger.users.delete(userId);
      continue;
    }
    account.rxBytes = 0;
    account.txBytes = 0;
    account.warned = false;
    account.suspended = false;
    account.lifted = false;
  }
  if (restored > 0) context.markPeersChanged();
  return applied({ periodStart: command.periodStart, restored });
}

/**
 * After the default quota changed: ends the suspensions it no longer holds.
 * New suspensions under a lower default come with the users' next traffic.
 */
export function endSuspensionsNoLongerHeld(data: ControlPlaneData, context: ApplyContext): number {
  const defaultQuotaGb = integerSetting(data.settings, "trafficQuotaGb");
  let restored = 0;
  for (const account of data.traffic.users.values()) {
    if (!account.suspended) continue;
    const decision = quotaDecision(account, quotaBytesOf(account, defaultQuotaGb));
    if (decision.transition !== "restored") continue;
    account.suspended = false;
    restored++;
  }
  if (restored > 0) context.markPeersChanged();
  return restored;
}
