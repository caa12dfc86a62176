/**
 * Random commands about traffic: servers' counters, quotas (a user's own and
 * the cluster's), suspensions lifted by an admin, and periods started.
 */
import fc from "fast-check";
import { shadowsocksTrafficPeer } from "../../../cluster/fsm/traffic-ledger.ts";
import { periodStartAt } from "../../../cluster/fsm/traffic-period.ts";
import {
  actor,
  anyConfigId,
  at,
  key,
  serverId,
  updateId,
  userId,
  type WeightedCommand,
} from "./domains.ts";

/**
 * A counter drawn blind: it names a config of another server, or a peer the
 * config does not have, as often as one apply counts. The servers' agents
 * report their real peers (see agent-reports.ts).
 */
const counter = fc.record({
  configId: anyConfigId,
  peer: fc.oneof(
    key,
    fc.integer({ min: 20000, max: 20004 }).map((port) => shadowsocksTrafficPeer(port)),
  ),
  rxBytes: fc.integer({ min: 0, max: 3_000_000_000 }),
  txBytes: fc.integer({ min: 0, max: 3_000_000_000 }),
});

/** A quota in GB: unlimited, a megabyte, a few GB, the default (null), or more decimals than a megabyte. */
const quotaGb = fc.constantFrom(null, 0, 0.001, 0.5, 1, 5, 0.0005);

/**
 * A period start: the one at `at` for the reset day in force, for another
 * reset day, or not a period start at all.
 */
const startTrafficPeriod = fc
  .record({ at, resetDay: fc.constantFrom(1, 2, 15), exact: fc.boolean() })
  .map(({ at, resetDay, exact }) => ({
    type: "startTrafficPeriod" as const,
    periodStart: exact ? periodStartAt(at, resetDay) : at,
    at,
  }));

/** The traffic settings, each with values in and out of its range. */
const trafficSetting = fc.oneof(
  fc.record({
    key: fc.constant("trafficQuotaGb"),
    value: fc.constantFrom("0", "1", "2", "0.5"),
  }),
  fc.record({ key: fc.constant("trafficResetDay"), value: fc.constantFrom("1", "2", "15", "29") }),
  fc.record({
    key: fc.constant("trafficReportSeconds"),
    value: fc.constantFrom("10", "60", "3600", "5"),
  }),
);

/** Agents report every minute; admins set quotas and lift suspensions now and then. */
export const trafficCommands: WeightedCommand[] = [
  {
    arbitrary: fc.record({
      type: fc.constant("reportTraffic" as const),
      serverId,
      counters: fc.array(counter, { minLength: 1, maxLength: 3 }),
      at,
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      type: fc.constant("setUserQuota" as const),
      userId,
      quotaGb,
      actor,
      at,
      updateId,
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      type: fc.constant("liftTrafficSuspension" as const),
      userId,
      actor,
      at,
      updateId,
    }),
    weight: 1,
  },
  { arbitrary: startTrafficPeriod, weight: 1 },
  {
    arbitrary: fc
      .record({ setting: trafficSetting, actor })
      .map(({ setting, actor }) => ({ type: "setSetting" as const, ...setting, actor })),
    weight: 2,
  },
];
