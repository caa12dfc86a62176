/**
 * `/servers`, `/server <id>` (with its 24-hour chart), `/checknow <server>`, and `/ban`, `/unban`,
 * `/drain <server> [reason]`.
 */
import { Composer } from "grammy";
import { statusReasonText } from "../../cluster/fsm/status-reasons.ts";
import { isValidNodeId } from "../../shared/node-id.ts";
import { senderActor } from "../account.ts";
import type { BotContext } from "../context.ts";
import type { CheckAnswer } from "../i18n/admin-messages.ts";
import { replyWithChart } from "./chart-reply.ts";
import { replyUsage, words } from "./command-args.ts";

export const serverCommands = new Composer<BotContext>();

serverCommands.command("server", async (ctx) => {
  const [serverId, ...extra] = words(ctx.match);
  if (serverId === undefined || extra.length > 0 || !isValidNodeId(serverId))
    return replyUsage(ctx, "/server <id>");
  await ctx.effects.acknowledge();
  const server = ctx.deps.service.localState.server(serverId);
  if (!server) {
    await ctx.reply(ctx.t.admin.noSuchServer(serverId));
    return;
  }
  await ctx.reply(ctx.t.admin.serverInFull(server));
  await replyWithChart(ctx, [server], ctx.t.admin.chart.serverTitle(server.id));
});

serverCommands.command("checknow", async (ctx) => {
  const [serverId, ...extra] = words(ctx.match);
  if (serverId === undefined || extra.length > 0 || !isValidNodeId(serverId))
    return replyUsage(ctx, "/checknow <server>");
  // A re-delivery of a check that was recorded neither probes nor answers again.
  if (ctx.effects.handledBefore) return;
  const server = ctx.deps.service.localState.server(serverId);
  if (!server) {
    await ctx.effects.acknowledge();
    await ctx.reply(ctx.t.admin.noSuchServer(serverId));
    return;
  }
  await ctx.reply(ctx.t.admin.checking(serverId));
  const recorded = await ctx.effects.propose(async (updateId) => {
    const verdict = await ctx.deps.banChecks.checkNow(serverId, {
      actor: senderActor(ctx),
      updateId,
    });
    // Nothing was proposed (banned, or no endpoint): the update still moves the offset on.
    if (verdict === null)
      await ctx.deps.service.run({
        type: "acknowledgeUpdate",
        at: ctx.deps.service.now(),
        updateId,
      });
    return verdict;
  });
  if (recorded === null) {
    await ctx.reply(ctx.t.admin.notChecked(serverId, server.status, Boolean(server.endpointHost)));
    return;
  }
  await ctx.reply(
    ctx.t.admin.checkAnswer({
      serverId,
      verdict: recorded.verdict,
      evidence: recorded.evidence,
      transition: recorded.transition as CheckAnswer["transition"],
    }),
  );
});

serverCommands.command("servers", async (ctx) => {
  await ctx.effects.acknowledge();
  const servers = ctx.deps.service.localState.servers();
  await ctx.reply(servers.length === 0 ? ctx.t.admin.serversEmpty : ctx.t.admin.servers(servers));
});

const STATUS_OF = { ban: "banned", unban: "active", drain: "draining" } as const;

/**
 * `/ban`, `/unban` and `/drain`. The reply says what the server was before
 * when that matters: `/unban` of a draining server puts it back in service
 * (it was not banned), and a second `/ban` or `/drain` replaces the reason.
 * An unknown server, and `/unban` of an active one, change nothing.
 */
for (const command of ["ban", "unban", "drain"] as const) {
  serverCommands.command(command, async (ctx) => {
    const [serverId, ...reasonWords] = words(ctx.match);
    if (serverId === undefined || !isValidNodeId(serverId))
      return replyUsage(ctx, `/${command} <server> [reason]`);
    const status = STATUS_OF[command];
    const before = ctx.deps.service.localState.server(serverId);
    if (!before || (command === "unban" && before.status === "active")) {
      await ctx.effects.acknowledge();
      await ctx.reply(
        before ? ctx.t.admin.alreadyActive(serverId) : ctx.t.admin.noSuchServer(serverId),
      );
      return;
    }
    const reason =
      reasonWords.join(" ").slice(0, 500) ||
      statusReasonText({ kind: "setByAdmin", action: command, through: "bot" });
    const { rehome } = await ctx.effects.propose((updateId) =>
      ctx.deps.service.setServerStatus({
        serverId,
        status,
        reason,
        actor: senderActor(ctx),
        updateId,
      }),
    );
    await ctx.reply(
      ctx.t.admin.statusChanged({
        serverId,
        from: before.status,
        to: status,
        previousReason: before.statusReason,
        reason,
        rehome: rehome
          ? { rehomed: rehome.rehomed.length, withoutCapacity: rehome.withoutCapacity.length }
          : null,
      }),
    );
  });
}
