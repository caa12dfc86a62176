/**
 * `/usage`: the sender's traffic this period, their quota and when the count
 * starts again, in their language and in human units. Read from this node's
 * applied state, like /myconfigs: it changes nothing.
 */
import { Composer } from "grammy";
import type { TrafficUsage } from "../../cluster/fsm/traffic-usage.ts";
import type { BotContext } from "../context.ts";
import { formatBytes, formatDate } from "../format.ts";
import type { Messages, UsageView } from "../i18n/messages.ts";

/** A usage as the texts show it, in `t`'s units. */
export function usageView(usage: TrafficUsage, t: Pick<Messages, "byteUnits">): UsageView {
  const bytes = (value: number) => formatBytes(value, t.byteUnits);
  const limited = usage.quotaBytes > 0;
  return {
    used: bytes(usage.usedBytes),
    upload: bytes(usage.uploadBytes),
    download: bytes(usage.downloadBytes),
    quota: limited ? bytes(usage.quotaBytes) : null,
    percent: limited ? Math.floor((usage.usedBytes * 100) / usage.quotaBytes) : null,
    resetsAt: formatDate(usage.resetsAt),
    suspended: usage.suspended,
  };
}

export const usageFlow = new Composer<BotContext>();

usageFlow.command("usage", async (ctx) => {
  await ctx.effects.acknowledge();
  const { service } = ctx.deps;
  const usage = service.localState.trafficUsage(String(ctx.from!.id), service.now());
  await ctx.reply(ctx.t.usage(usageView(usage, ctx.t)));
});
