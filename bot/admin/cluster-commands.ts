/**
 * `/metrics` (with the fleet's 24-hour chart), `/leader` and `/stepdown`: the
 * cluster as an admin sees it from the bot.
 */
import { Composer } from "grammy";
import { voterCandidatesOf } from "../../cluster/fsm/settings.ts";
import type { NodeStatus } from "../../cluster/node.ts";
import type { BotContext } from "../context.ts";
import type { MemberLine } from "../i18n/admin-messages.ts";
import { replyWithChart } from "./chart-reply.ts";

export const clusterCommands = new Composer<BotContext>();

clusterCommands.command("metrics", async (ctx) => {
  await ctx.effects.acknowledge();
  const status = ctx.deps.node.status();
  const counts = ctx.deps.service.localState.counts();
  const queuedDeliveries = await ctx.deps.outboxQueueDepth().catch(() => undefined);
  const queuedChecks = await ctx.deps.banChecks.queueDepth().catch(() => undefined);
  await ctx.reply(
    ctx.t.admin.metrics({
      leaderId: status.leaderId,
      term: status.term,
      commitIndex: status.commitIndex,
      appliedIndex: status.appliedIndex,
      members: memberLines(status),
      servers: counts.servers,
      bannedServers: counts.bannedServers,
      users: counts.users,
      liveConfigs: counts.liveConfigs,
      pendingOutbox: counts.pendingOutbox,
      queuedDeliveries,
      queuedChecks,
    }),
  );
  await replyWithChart(ctx, ctx.deps.service.localState.servers(), ctx.t.admin.chart.fleetTitle);
});

clusterCommands.command("leader", async (ctx) => {
  await ctx.effects.acknowledge();
  const status = ctx.deps.node.status();
  await ctx.reply(
    ctx.t.admin.leaderRunsBot(status.leaderId ?? status.id, status.term, memberLines(status)),
  );
});

/** Each member: its role, how far behind the leader's log, when last heard from. */
function memberLines(status: NodeStatus): MemberLine[] {
  return status.members.map((member) => {
    const isLeader = member.id === status.leaderId;
    return {
      id: member.id,
      role: member.role,
      isLeader,
      lag: member.lag,
      silentForMs: isLeader ? null : member.silentForMs,
    };
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
  // Leadership goes only to a voter candidate, when an admin named them (/voters).
  const candidates = voterCandidatesOf(ctx.deps.service.localState.setting("voterCandidates"));
  const voters = status.members.filter(
    (member) => member.voter && member.id !== status.id && (candidates?.has(member.id) ?? true),
  );
  if (voters.length === 0) {
    await ctx.reply(ctx.t.admin.noOtherVoter);
    return;
  }
  await ctx.reply(ctx.t.admin.handingOver);
  ctx.effects.afterSettled(() => ctx.deps.node.transferLeadership());
});
