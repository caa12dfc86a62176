/**
 * What the `Subscription-Userinfo` header says: traffic used and allowed,
 * and when access ends. Traffic per user is not measured yet (the state has
 * each server's totals only), so upload and download are 0 and the total 0
 * (unlimited); this is the one place to swap in per-user figures.
 */
import type { Config } from "../fsm/records.ts";

export interface SubscriptionUsage {
  uploadBytes: number;
  downloadBytes: number;
  /** 0: unlimited. */
  totalBytes: number;
  /** Epoch seconds; 0: never. */
  expireSeconds: number;
}

/**
 * The usage of a subscription serving `liveConfigs`: it expires with the
 * config that expires first, since from then on part of it stops working
 * (0 when none expires).
 */
export function subscriptionUsage(
  liveConfigs: readonly Pick<Config, "expiresAt">[],
): SubscriptionUsage {
  const expiries = liveConfigs
    .map((config) => config.expiresAt)
    .filter((expiresAt): expiresAt is number => expiresAt !== null);
  return {
    uploadBytes: 0,
    downloadBytes: 0,
    totalBytes: 0,
    expireSeconds: expiries.length > 0 ? Math.floor(Math.min(...expiries) / 1000) : 0,
  };
}

/** `upload=…; download=…; total=…; expire=…`, as v2rayNG, Clash and Hiddify read it. */
export function subscriptionUserinfoHeader(usage: SubscriptionUsage): string {
  return `upload=${usage.uploadBytes}; download=${usage.downloadBytes}; total=${usage.totalBytes}; expire=${usage.expireSeconds}`;
}
