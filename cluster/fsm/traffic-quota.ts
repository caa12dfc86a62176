/**
 * What a user's traffic means under their quota: a warning at 80 % (once per
 * period), a suspension at 100 % (their peers leave every server), and the
 * end of a suspension when the quota no longer holds it (raised, unlimited,
 * or lifted by an admin). The decision is a pure function; `settleQuota`
 * applies it to an account inside apply.
 */
import type { ApplyContext } from "./apply-context.ts";
import type { ControlPlaneData } from "./control-plane-data.ts";
import type { UserTraffic } from "./records.ts";
import { integerSetting } from "./settings.ts";
import { nextResetAt } from "./traffic-period.ts";

/** Bytes in one GB of quota: decimal, as traffic is sold. */
export const BYTES_PER_GB = 1_000_000_000;
/** The share of the quota, in percent, at which the user is warned. */
export const WARNING_PERCENT = 80;

/** The quota in force for an account in bytes; 0 is unlimited. */
export function quotaBytesOf(
  account: Pick<UserTraffic, "quotaGb">,
  defaultQuotaGb: number,
): number {
  // Quotas are whole MB: rounding to them makes the product exact on every node.
  return Math.round((account.quotaGb ?? defaultQuotaGb) * 1000) * (BYTES_PER_GB / 1000);
}

/** What changes for an account: nothing, a warning, a suspension, or the end of one. */
export type QuotaTransition = "none" | "warned" | "suspended" | "restored";

/**
 * The account's warning and suspension flags under `quotaBytes`, and what
 * changed. A jump straight past 100 % suspends without a separate warning.
 */
export function quotaDecision(
  account: Pick<UserTraffic, "rxBytes" | "txBytes" | "warned" | "suspended" | "lifted">,
  quotaBytes: number,
): { warned: boolean; suspended: boolean; transition: QuotaTransition } {
  const used = account.rxBytes + account.txBytes;
  const limited = quotaBytes > 0;
  const over = limited && used >= quotaBytes && !account.lifted;
  const nearly = limited && used * 100 >= quotaBytes * WARNING_PERCENT;
  if (account.suspended && !over)
    return { warned: account.warned, suspended: false, transition: "restored" };
  if (!account.suspended && over) return { warned: true, suspended: true, transition: "suspended" };
  if (!account.warned && nearly && !account.suspended)
    return { warned: true, suspended: false, transition: "warned" };
  return { warned: account.warned, suspended: account.suspended, transition: "none" };
}

/**
 * Applies the decision to `account`: the user is told of a warning or a
 * suspension (outbox), and a suspension or its end changes the peers of the
 * user's servers.
 */
export function settleQuota(
  data: ControlPlaneData,
  context: ApplyContext,
  account: UserTraffic,
  at: number,
): QuotaTransition {
  const quotaBytes = quotaBytesOf(account, integerSetting(data.settings, "trafficQuotaGb"));
  const decision = quotaDecision(account, quotaBytes);
  account.warned = decision.warned;
  account.suspended = decision.suspended;
  const transition = decision.transition;
  if (transition === "suspended" || transition === "restored") context.markPeersChanged();
  if (transition === "warned" || transition === "suspended") {
    context.notify(
      account.userId,
      transition === "warned" ? "trafficWarning" : "trafficSuspended",
      {
        usedBytes: account.rxBytes + account.txBytes,
        quotaBytes,
        resetsAt: nextResetAt(at, integerSetting(data.settings, "trafficResetDay")),
      },
      at,
    );
  }
  return transition;
}
