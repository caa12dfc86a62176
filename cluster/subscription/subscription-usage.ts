/**
 * What the `Subscription-Userinfo` header says: the user's traffic this
 * period and their quota, and when access ends, as the replicated state has
 * them (fsm/traffic-usage.ts, the same figures as `/usage` and the admin
 * API).
 *
 * Upload and download are the ledger's: bytes the servers received from the
 * user and sent to them. ss-manager counts a Shadowsocks port's two
 * directions together and the ledger books them as download, so a
 * Shadowsocks user's upload is in their download; the sum, which the quota
 * counts and clients show as used, is exact either way.
 */
import type { Config } from "../fsm/records.ts";
import type { TrafficUsage } from "../fsm/traffic-usage.ts";

export interface SubscriptionUsage {
  uploadBytes: number;
  downloadBytes: number;
  /** The quota in bytes; 0: unlimited. */
  totalBytes: number;
  /** Epoch seconds; 0: never. */
  expireSeconds: number;
}

/**
 * The usage of a subscription serving `liveConfigs` to a user with
 * `traffic`: it expires with the config that expires first, since from then
 * on part of it stops working (0 when none expires).
 */
export function subscriptionUsage(
  liveConfigs: readonly Pick<Config, "expiresAt">[],
  traffic: Pick<TrafficUsage, "uploadBytes" | "downloadBytes" | "quotaBytes">,
): SubscriptionUsage {
  const expiries = liveConfigs
    .map((config) => config.expiresAt)
    .filter((expiresAt): expiresAt is number => expiresAt !== null);
  return {
    uploadBytes: traffic.uploadBytes,
    downloadBytes: traffic.downloadBytes,
    totalBytes: traffic.quotaBytes,
    expireSeconds: expiries.length > 0 ? Math.floor(Math.min(...expiries) / 1000) : 0,
  };
}

/** `upload=…; download=…; total=…; expire=…`, as v2rayNG, Clash and Hiddify read it. */
export function subscriptionUserinfoHeader(usage: SubscriptionUsage): string {
  return `upload=${usage.uploadBytes}; download=${usage.downloadBytes}; total=${usage.totalBytes}; expire=${usage.expireSeconds}`;
}
