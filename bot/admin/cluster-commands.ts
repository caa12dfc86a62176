/**
 * `/metrics` (with the fleet's 24-hour chart), `/leader` and `/stepdown`: the
 * cluster as an admin sees it from the bot.
 */
import { Composer } from "grammy";
import type { NodeStatus } from "../../cluster/node.ts";
import type { BotContext } from "../context.ts";
import { replyWithChart } from "./chart-reply.ts";

export const clusterCommands = new Composer<BotContext>();

clusterCommands.command("metrics", async (ctx) => {
  await ctx.effects.acknowledge();
  const status = ctx.deps.node.status();
  const counts = ctx.deps.service.localState.counts();
  const queued = await ctx.deps.outboxQueueDepth().catch(() => undefined);
  const checksQueued = await ctx.deps.banChecks.queueDepth().catch(() => undefined);
  const members = memberLines(status);
  await ctx.reply(
    [
      `Leader: ${status.leaderId ?? "none"}, term ${status.term}`,
      `Commit index: ${status.commitIndex}, applied: ${status.appliedIndex}`,
      "Members:",
      ...members,
      `Servers: ${counts.servers} (${counts.bannedServers} banned)`,
      `Users: ${counts.users}`,
      `Live configs: ${counts.liveConfigs}`,
      `Outbox: ${counts.pendingOutbox} pending, ${queued ?? "?"} in this node's delivery queue`,
      `Ban checks: ${checksQueued ?? "?"} jobs in this node's queue`,
    ].join("\n"),
  );
  await replyWithChart(ctx, ctx.deps.service.localState.servers(), "Fleet, last 24 hours");
});

clusterCommands.command("leader", async (ctx) => {
  await ctx.effects.acknowledge();
  const status = ctx.deps.node.status();
  await ctx.reply(
    [
      `Node ${status.leaderId ?? status.id} leads in term ${status.term} and runs the bot.`,
      "Members:",
      ...memberLines(status),
    ].join("\n"),
  );
});

/** One line per member: its role, how far behind the leader's log, when last heard from. */
function memberLines(status: NodeStatus): string[] {
  return status.members.map((member) => {
    const isLeader = member.id === status.leaderId;
    const role = isLeader ? "leader" : member.role;
    const lag = member.lag === null ? "lag unknown" : `lag ${member.lag} entries`;
    const heard =
      member.silentForMs === null || isLeader
        ? ""
        : `, heard ${(member.silentForMs / 1000).toFixed(1)} s ago`;
    return `• ${member.id} (${role}): ${lag}${heard}`;
  });
}

/**
 * One `/stepdown`, one move. The update is recorded as handled through Raft
 * and answered before leadership moves, and the move waits until Telegram
 * has confirmed the update (see UpdateEffects.afterSettled): the next leader
 * does not receive it again, and if it does, the committed record tells it
 * the update was handled, so it neither answers nor moves a second time.
 */
clusterCommands.command("stepdown", async (ctx) => {
  const { duplicate } = await ctx.effects.acknowledge();
  if (duplicate) return;
  const status = ctx.deps.node.status();
  const voters = status.members.filter((member) => member.voter && member.id !== status.id);
  if (voters.length === 0) {
    await ctx.reply("Leadership stays here: there is no other voter to hand it to.");
    return;
  }
  await ctx.reply(
    "Handing leadership to the most caught-up node; the bot continues there in a moment.",
  );
  ctx.effects.afterSettled(() => ctx.deps.node.transferLeadership());
});
