/** `/servers`, and `/ban`, `/unban`, `/drain <server> [reason]`. */
import { Composer } from "grammy";
import type { RehomeSummary } from "../../cluster/fsm/rehome.ts";
import type { ServerView } from "../../cluster/fsm/views.ts";
import { isValidNodeId } from "../../shared/node-id.ts";
import type { BotContext } from "../context.ts";
import { formatTime } from "../format.ts";
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

export const serverCommands = new Composer<BotContext>();

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
        actor: String(ctx.from!.id),
        updateId,
      }),
    );
    const rehome =
      typeof result === "object" && result !== null
        ? (result as { rehome?: RehomeSummary | null }).rehome
        : undefined;
    const moved = rehome
      ? ` ${rehome.rehomed.length} config(s) moved to other servers, ${rehome.withoutCapacity.length} without room.`
      : "";
    await ctx.reply(`Server ${serverId} is now ${status}.${moved}`);
  });
}
