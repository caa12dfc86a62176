/**
 * `/servers`, `/server <id>` (with its 24-hour chart), `/checknow <server>`, and `/ban`, `/unban`,
 * `/drain <server> [reason]`.
 */
import { Composer } from "grammy";
import type { ServerView } from "../../cluster/fsm/views.ts";
import { isValidNodeId } from "../../shared/node-id.ts";
import { senderActor } from "../account.ts";
import type { BotContext } from "../context.ts";
import { formatTime } from "../format.ts";
import { replyWithChart } from "./chart-reply.ts";
import { replyUsage, words } from "./command-args.ts";

function describeServer(server: ServerView): string {
  const load = `${server.liveConfigs}/${server.capacity} configs`;
  const endpoint = server.endpointHost
    ? `${server.endpointHost}:${server.listenPort}`
    : "no endpoint yet";
  const lastCheck = server.checks.recent.at(-1);
  const check = lastCheck
    ? `${lastCheck.verdict} at ${formatTime(lastCheck.at)}`
    : "not checked yet";
  const reason =
    server.status !== "active" && server.statusReason ? ` (${server.statusReason})` : "";
  return `• ${server.id} [${server.region}] ${server.status}${reason}: ${load}, ${endpoint}, last check ${check}`;
}

/** A server in full: status, load, endpoint and its recent check verdicts, newest first. */
function describeServerInFull(server: ServerView): string {
  const verdicts = [...server.checks.recent]
    .reverse()
    .map((result) => `  ${formatTime(result.at)} ${result.verdict}: ${result.evidence}`);
  const counters = `consecutive filtered ${server.checks.consecutiveFiltered}, down ${server.checks.consecutiveDown}`;
  const probePeer = server.probePeer
    ? "WireGuard handshake probed"
    : "TCP probed only (no probe peer)";
  return [
    describeServer(server),
    `Status set by ${server.statusActor || "registration"} at ${formatTime(server.statusAt)}.`,
    `Checks: ${probePeer}; ${counters}.`,
    verdicts.length === 0 ? "No check verdicts yet." : "Recent verdicts (newest first):",
    ...verdicts,
  ].join("\n");
}

export const serverCommands = new Composer<BotContext>();

serverCommands.command("server", async (ctx) => {
  const [serverId, ...extra] = words(ctx.match);
  if (serverId === undefined || extra.length > 0 || !isValidNodeId(serverId))
    return replyUsage(ctx, "/server <id>");
  await ctx.effects.acknowledge();
  const server = ctx.deps.service.localState.server(serverId);
  if (!server) {
    await ctx.reply(`There is no server ${serverId}; see /servers.`);
    return;
  }
  await ctx.reply(describeServerInFull(server));
  await replyWithChart(ctx, [server], `Server ${server.id}, last 24 hours`);
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
    await ctx.reply(`There is no server ${serverId}; see /servers.`);
    return;
  }
  await ctx.reply(`Checking ${serverId} from here and from every vantage probe...`);
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
    await ctx.reply(
      `${serverId} is not checked: it is ${server.status}${server.endpointHost ? "" : " and has no endpoint yet"}.`,
    );
    return;
  }
  const change =
    recorded.transition === "none" ? "" : ` The server's status changed: ${recorded.transition}.`;
  await ctx.reply(`${serverId}: ${recorded.verdict}. ${recorded.evidence}${change}`);
});

serverCommands.command("servers", async (ctx) => {
  await ctx.effects.acknowledge();
  const servers = ctx.deps.service.localState.servers();
  await ctx.reply(
    servers.length === 0
      ? "No servers are registered yet."
      : [`Servers (${servers.length}):`, ...servers.map(describeServer)].join("\n"),
  );
});

const STATUS_OF = { ban: "banned", unban: "active", drain: "draining" } as const;

for (const command of ["ban", "unban", "drain"] as const) {
  serverCommands.command(command, async (ctx) => {
    const [serverId, ...reasonWords] = words(ctx.match);
    if (serverId === undefined || !isValidNodeId(serverId))
      return replyUsage(ctx, `/${command} <server> [reason]`);
    const status = STATUS_OF[command];
    const result = await ctx.effects.propose((updateId) =>
      ctx.deps.service.setServerStatus({
        serverId,
        status,
        reason: reasonWords.join(" ").slice(0, 500) || `${command} by an admin`,
        actor: senderActor(ctx),
        updateId,
      }),
    );
    const { rehome } = result;
    const moved = rehome
      ? ` ${rehome.rehomed.length} config(s) moved to other servers, ${rehome.withoutCapacity.length} without room.`
      : "";
    await ctx.reply(`Server ${serverId} is now ${status}.${moved}`);
  });
}
