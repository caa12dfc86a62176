/**
 * The fleet's membership from the chat: `/addserver [region] [capacity]`
 * makes a join token for a new VPS, `/jointokens` lists them (never the
 * secret), `/canceljoin <node id>` withdraws one, and `/removeserver <id>`
 * takes a member out after a confirmation. The work is FleetMembership's
 * (cluster/membership/fleet-membership.ts), shared with the admin API.
 */
import { Composer, InlineKeyboard } from "grammy";
import type { MessageEntity } from "grammy/types";
import type { JoinTokenView } from "../../cluster/membership/fleet-membership.ts";
import { isValidNodeId } from "../../shared/node-id.ts";
import type { Result } from "../../shared/result.ts";
import { senderActor } from "../account.ts";
import type { BotContext } from "../context.ts";
import { formatTime } from "../format.ts";
import { replyUsage, words } from "./command-args.ts";

/** The same rule as the admin API's (cluster/api/membership-routes.ts). */
const REGION = /^[A-Za-z0-9_.-]{1,32}$/;
const CAPACITY = /^[1-9][0-9]{0,4}$/;
const MAX_CAPACITY = 65_532;
/** Telegram's limit on a message's text. */
const MAX_MESSAGE_LENGTH = 4096;
const REMOVAL_REASON = "removed by an admin";

const confirmRemoval = (nodeId: string) => `adm:rmserver:yes:${nodeId}`;
const cancelRemoval = (nodeId: string) => `adm:rmserver:no:${nodeId}`;

export const membershipCommands = new Composer<BotContext>();

/** Text with parts set in monospace, so a token copies cleanly; parts are [text, monospace?]. */
function withCode(parts: readonly (readonly [string, boolean])[]): {
  text: string;
  entities: MessageEntity[];
} {
  let text = "";
  const entities: MessageEntity[] = [];
  for (const [part, monospace] of parts) {
    if (monospace) entities.push({ type: "code", offset: text.length, length: part.length });
    text += part;
  }
  return { text, entities };
}

/** The answer to `/addserver`: the token, its node id, when it expires, and how to use it. */
export function joinTokenAnswer(made: { nodeId: string; token: string; expiresAt: number }) {
  const command = (token: string) => `sudo bash scripts/install.sh --join ${token}`;
  const intro = `Join token for ${made.nodeId}, valid until ${formatTime(made.expiresAt)}:\n`;
  const howTo = "\n\nOn the new VPS, from a clone of the repository, run:\n";
  const outro = `\nor set JOIN_TOKEN=<the token above> in its environment. Once used, the token is spent.`;
  const full = [
    [intro, false],
    [made.token, true],
    [howTo, false],
    [command(made.token), true],
    [outro, false],
  ] as const;
  const fits = full.reduce((length, [part]) => length + part.length, 0) <= MAX_MESSAGE_LENGTH;
  // A token naming many members may not fit twice in one message.
  return withCode(
    fits ? full : [...full.slice(0, 3), [command("<the token above>"), true], [outro, false]],
  );
}

membershipCommands.command("addserver", async (ctx) => {
  const [region, capacityText, ...extra] = words(ctx.match);
  const capacity = capacityText === undefined ? undefined : Number(capacityText);
  const badRegion = region !== undefined && !REGION.test(region);
  const badCapacity =
    capacityText !== undefined &&
    (!CAPACITY.test(capacityText) || Number(capacityText) > MAX_CAPACITY);
  if (extra.length > 0 || badRegion || badCapacity)
    return replyUsage(
      ctx,
      `/addserver [region] [capacity]: a region is 1-32 of A-Z a-z 0-9 _ . -, a capacity a whole number from 1 to ${MAX_CAPACITY}`,
    );
  // The secret exists only in the first answer: a re-delivery cannot show it again.
  if (ctx.effects.handledBefore) {
    await ctx.reply("This /addserver was handled already; see /jointokens, or run it again.");
    return;
  }
  const made = await ctx.effects.propose((updateId) =>
    acknowledgedIfRefused(ctx, updateId, () =>
      ctx.deps.membership.createJoinToken({
        ...(region === undefined ? {} : { region }),
        ...(capacity === undefined ? {} : { capacity }),
        actor: senderActor(ctx),
        updateId,
      }),
    ),
  );
  if (!made.ok) {
    await ctx.reply(`No join token was made (${made.error.code}): ${made.error.message}.`);
    return;
  }
  const { text, entities } = joinTokenAnswer(made.value);
  await ctx.reply(text, { entities });
});

function describeToken(token: JoinTokenView): string {
  const place = [token.region, token.capacity === null ? null : `capacity ${token.capacity}`]
    .filter((part) => part !== null)
    .join(", ");
  return `• ${token.nodeId}${place ? ` (${place})` : ""}: ${token.status}, made by ${token.createdBy} at ${formatTime(token.createdAt)}, expires ${formatTime(token.expiresAt)}`;
}

membershipCommands.command("jointokens", async (ctx) => {
  await ctx.effects.acknowledge();
  const tokens = await ctx.deps.membership.joinTokens();
  await ctx.reply(
    tokens.length === 0
      ? "No join tokens yet; make one with /addserver."
      : [`Join tokens (${tokens.length}):`, ...tokens.map(describeToken)].join("\n"),
  );
});

membershipCommands.command("canceljoin", async (ctx) => {
  const [nodeId, ...extra] = words(ctx.match);
  if (nodeId === undefined || extra.length > 0 || !isValidNodeId(nodeId))
    return replyUsage(ctx, "/canceljoin <node id>");
  await ctx.effects.propose((updateId) =>
    ctx.deps.membership.cancelJoinToken(nodeId, senderActor(ctx), updateId),
  );
  await ctx.reply(`The join token for ${nodeId} is cancelled; it lets no server in any more.`);
});

membershipCommands.command("removeserver", async (ctx) => {
  const [nodeId, ...extra] = words(ctx.match);
  if (nodeId === undefined || extra.length > 0 || !isValidNodeId(nodeId))
    return replyUsage(ctx, "/removeserver <id>");
  await ctx.effects.acknowledge();
  const state = ctx.deps.service.localState;
  const removal = state.memberRemoval(nodeId);
  if (removal) {
    await ctx.reply(removedAlready(nodeId, removal));
    return;
  }
  const { voters, learners } = ctx.deps.node.confState();
  const server = state.server(nodeId);
  if (!server && !voters.includes(nodeId) && !learners.includes(nodeId)) {
    await ctx.reply(`${nodeId} is not a member of this cluster; see /servers.`);
    return;
  }
  const live = server?.liveConfigs ?? 0;
  await ctx.reply(
    `${nodeId} will be drained: its ${live} live config(s) move to other servers with fresh keys and their users are told; it leaves the cluster, its key is revoked for good and it stops. Remove it?`,
    {
      reply_markup: new InlineKeyboard()
        .text(`Confirm: remove ${nodeId}`, confirmRemoval(nodeId))
        .text("Cancel", cancelRemoval(nodeId)),
    },
  );
});

membershipCommands.callbackQuery(/^adm:rmserver:yes:([a-z0-9-]{1,32})$/, async (ctx) => {
  const nodeId = ctx.match[1]!;
  await ctx.answerCallbackQuery();
  const earlier = ctx.deps.service.localState.memberRemoval(nodeId);
  // A second press, or this press delivered again: the removal stands, nothing is asked twice.
  // Only the press that settles it takes the buttons away: the message has none left for the others.
  if (earlier) {
    await ctx.effects.acknowledge();
    await ctx.reply(removedAlready(nodeId, earlier));
    return;
  }
  const removed = await ctx.effects.propose((updateId) =>
    acknowledgedIfRefused(ctx, updateId, () =>
      ctx.deps.membership.removeMember({
        nodeId,
        reason: REMOVAL_REASON,
        actor: senderActor(ctx),
        updateId,
      }),
    ),
  );
  if (!removed.ok) {
    await ctx.reply(`${nodeId} is not removed (${removed.error.code}): ${removed.error.message}.`);
    await ctx.editMessageReplyMarkup();
    return;
  }
  const rehome = removed.value?.rehome;
  // A press racing another one: the removal applied first answers this one (its server is out already).
  if (removed.value && !rehome && ctx.deps.service.localState.server(nodeId)) {
    await ctx.reply(removedAlready(nodeId, removed.value.removal));
    return;
  }
  const moved = rehome
    ? ` ${rehome.rehomed.length} config(s) moved to other servers, ${rehome.withoutCapacity.length} without room, ${rehome.pending.length} to move once their keys are ready.`
    : "";
  await ctx.reply(
    `${nodeId} is being removed.${moved} It leaves the cluster and its key is revoked shortly.`,
  );
  await ctx.editMessageReplyMarkup();
});

membershipCommands.callbackQuery(/^adm:rmserver:no:([a-z0-9-]{1,32})$/, async (ctx) => {
  await ctx.effects.acknowledge();
  await ctx.answerCallbackQuery();
  await ctx.editMessageReplyMarkup();
  await ctx.reply(`${ctx.match[1]!} stays; nothing was changed.`);
});

function removedAlready(nodeId: string, removal: { actor: string; requestedAt: number }): string {
  return `${nodeId} was removed already (by ${removal.actor} at ${formatTime(removal.requestedAt)}).`;
}

/**
 * Runs a membership change that may be refused before it proposes anything;
 * a refused one still records the update, so its offset moves on.
 */
async function acknowledgedIfRefused<Outcome extends Result<unknown, string>>(
  ctx: BotContext,
  updateId: number,
  change: () => Promise<Outcome>,
): Promise<Outcome> {
  const result = await change();
  if (!result.ok)
    await ctx.deps.service.run({ type: "acknowledgeUpdate", at: ctx.deps.service.now(), updateId });
  return result;
}
