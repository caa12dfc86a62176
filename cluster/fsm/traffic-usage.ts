/**
 * A user's traffic as users and admins see it, and as a subscription's
 * `Subscription-Userinfo` header gives it (upload, download, total): one pure
 * function of the replicated state and the time, so the bot, the admin API
 * and subscriptions all say the same.
 */

import type { UserTraffic } from "./records.ts";
import type { KnownSetting } from "./settings.ts";
import { nextResetAt } from "./traffic-period.ts";
import { quotaBytesOf } from "./traffic-quota.ts";

/** A user's usage this period, their quota and when the count starts again. */
export interface TrafficUsage {
  userId: string;
  /** Bytes the user sent through the servers this period. */
  uploadBytes: number;
  /** Bytes the servers sent to the user this period. */
  downloadBytes: number;
  /** Upload and download together: what the quota counts. */
  usedBytes: number;
  /** The quota in force in bytes; 0 is unlimited. */
  quotaBytes: number;
  /** The quota in force in GB; 0 is unlimited. */
  quotaGb: number;
  /** True when the quota is the cluster's `trafficQuotaGb`, not an admin's choice for this user. */
  quotaIsDefault: boolean;
  /** When the current period started (epoch ms); null before the leader started the first one. */
  periodStart: number | null;
  /** When the count starts again (epoch ms). */
  resetsAt: number;
  warned: boolean;
  /** The user's peers are off every server until `resetsAt` or an admin lifts it. */
  suspended: boolean;
  /** An admin lifted the suspension for this period. */
  lifted: boolean;
}

/** What {@link trafficUsageOf} reads; the control-plane state provides it. */
export interface TrafficUsageSource {
  userTraffic(userId: string): UserTraffic | undefined;
  setting(key: KnownSetting): string;
  trafficPeriodStart(): number | null;
}

/** The user's usage, quota and reset date at `nowMs`; a user with no traffic yet has zeros. */
export function trafficUsageOf(
  source: TrafficUsageSource,
  userId: string,
  nowMs: number,
): TrafficUsage {
  const account = source.userTraffic(userId);
  const defaultQuotaGb = Number(source.setting("trafficQuotaGb"));
  const quotaGb = account?.quotaGb ?? defaultQuotaGb;
  const uploadBytes = account?.rxBytes ?? 0;
  const downloadBytes = account?.txBytes ?? 0;
  return {
    userId,
    uploadBytes,
    downloadBytes,
    usedBytes: uploadBytes + downloadBytes,
    quotaBytes: quotaBytesOf({ quotaGb }, defaultQuotaGb),
    quotaGb,
    quotaIsDefault: account?.quotaGb === null || account === undefined,
    periodStart: source.trafficPeriodStart(),
    resetsAt: nextResetAt(nowMs, Number(source.setting("trafficResetDay"))),
    warned: account?.warned ?? false,
    suspended: account?.suspended ?? false,
    lifted: account?.lifted ?? false,
  };
}
