/**
 * The fleet's membership from the chat: `/addserver [region] [capacity]`
 * makes a join token for a new VPS, `/jointokens` lists them (never the
 * secret), `/canceljoin <node id>` withdraws one, and `/removeserver <id>`
 * takes a member out after a confirmation, and `/voters [<ids>|any]` shows
 * or sets the members that may vote (the `voterCandidates` setting the
 * autopilot keeps voting to). The work is FleetMembership's
 * (cluster/membership/fleet-membership.ts) and the autopilot's, shared with
 * the admin API.
 */
import { Composer, InlineKeyboard } from "grammy";
import type { MessageEntity } from "grammy/types";
import { settingProblem, voterCandidatesOf } from "../../cluster/fsm/settings.ts";
import { statusReasonText } from "../../cluster/fsm/status-reasons.ts";
import { lacksLeaderCredentials } from "../../cluster/membership/autopilot-plan.ts";
import { isValidNodeId } from "../../shared/node-id.ts";
import type { Result } from "../../shared/result.ts";
import { senderActor } from "../account.ts";
import type { BotContext } from "../context.ts";
import type { AdminMessages } from "../i18n/admin-messages.ts";
import { replyUsage, words } from "./command-args.ts";

/** The same rule as the admin API's (cluster/api/membership-routes.ts). */
const REGION = /^[A-Za-z0-9_.-]{1,32}$/;
const CAPACITY = /^[1-9][0-9]{0,4}$/;
const MAX_CAPACITY = 65_532;
/** Telegram's limit on a message's text. */
const MAX_MESSAGE_LENGTH = 4096;
const REMOVAL_REASON = statusReasonText({ kind: "removedByAdmin" });

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
export function joinTokenAnswer(
  t: AdminMessages,
  made: { nodeId: string; token: string; expiresAt: number },
) {
  const command = (token: string) => `sudo bash scripts/install.sh --join ${token}`;
  const outro = t.joinTokenOutro;
  const full = [
    [t.joinTokenIntro(made.nodeId, made.expiresAt), false],
    [made.token, true],
    [t.joinTokenHowTo, false],
    [command(made.token), true],
    [outro, false],
  ] as const;
  const fits = full.reduce((length, [part]) => length + part.length, 0) <= MAX_MESSAGE_LENGTH;
  // A token naming many members may not fit twice in one message.
  return withCode(
    fits ? full : [...full.slice(0, 3), [command(t.joinTokenPlaceholder), true], [outro, false]],
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
      "/addserver [region] [capacity]",
      ctx.t.admin.addServerUsage(MAX_CAPACITY),
    );
  // The secret exists only in the first answer: a re-delivery cannot show it again.
  if (ctx.effects.handledBefore) {
    await ctx.reply(ctx.t.admin.addServerHandledBefore);
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
    await ctx.reply(
      ctx.t.admin.noJoinToken(ctx.t.admin.refusal(made.error.code, made.error.message)),
    );
    return;
  }
  const { text, entities } = joinTokenAnswer(ctx.t.admin, made.value);
  await ctx.reply(text, { entities });
});

membershipCommands.command("jointokens", async (ctx) => {
  await ctx.effects.acknowledge();
  const tokens = await ctx.deps.membership.joinTokens();
  await ctx.reply(
    tokens.length === 0 ? ctx.t.admin.joinTokensEmpty : ctx.t.admin.joinTokens(tokens),
  );
});

membershipCommands.command("canceljoin", async (ctx) => {
  const [nodeId, ...extra] = words(ctx.match);
  if (nodeId === undefined || extra.length > 0 || !isValidNodeId(nodeId))
    return replyUsage(ctx, "/canceljoin <node id>");
  await ctx.effects.propose((updateId) =>
    ctx.deps.membership.cancelJoinToken(nodeId, senderActor(ctx), updateId),
  );
  await ctx.reply(ctx.t.admin.joinCancelled(nodeId));
});

membershipCommands.command("removeserver", async (ctx) => {
  const [nodeId, ...extra] = words(ctx.match);
  if (nodeId === undefined || extra.length > 0 || !isValidNodeId(nodeId))
    return replyUsage(ctx, "/removeserver <id>");
  await ctx.effects.acknowledge();
  const state = ctx.deps.service.localState;
  const removal = state.memberRemoval(nodeId);
  if (removal) {
    await ctx.reply(removedAlready(ctx, nodeId, removal));
    return;
  }
  const { voters, learners } = ctx.deps.node.confState();
  const server = state.server(nodeId);
  if (!server && !voters.includes(nodeId) && !learners.includes(nodeId)) {
    await ctx.reply(ctx.t.admin.notAMember(nodeId));
    return;
  }
  const live = server?.liveConfigs ?? 0;
  await ctx.reply(ctx.t.admin.removeConfirm(nodeId, live), {
    reply_markup: new InlineKeyboard()
      .text(ctx.t.admin.removeButton(nodeId), confirmRemoval(nodeId))
      .text(ctx.t.admin.cancelButton, cancelRemoval(nodeId)),
  });
});

membershipCommands.callbackQuery(/^adm:rmserver:yes:([a-z0-9-]{1,32})$/, async (ctx) => {
  const nodeId = ctx.match[1]!;
  await ctx.answerCallbackQuery();
  const earlier = ctx.deps.service.localState.memberRemoval(nodeId);
  // A second press, or this press delivered again: the removal stands, nothing is asked twice.
  // Only the press that settles it takes the buttons away: the message has none left for the others.
  if (earlier) {
    await ctx.effects.acknowledge();
    await ctx.reply(removedAlready(ctx, nodeId, earlier));
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
    await ctx.reply(
      ctx.t.admin.notRemoved(
        nodeId,
        ctx.t.admin.refusal(removed.error.code, removed.error.message),
      ),
    );
    await ctx.editMessageReplyMarkup();
    return;
  }
  const rehome = removed.value?.rehome;
  // A press racing another one: the removal applied first answers this one (its server is out already).
  if (removed.value && !rehome && ctx.deps.service.localState.server(nodeId)) {
    await ctx.reply(removedAlready(ctx, nodeId, removed.value.removal));
    return;
  }
  await ctx.reply(
    ctx.t.admin.beingRemoved(
      nodeId,
      rehome
        ? {
            rehomed: rehome.rehomed.length,
            withoutCapacity: rehome.withoutCapacity.length,
            pending: rehome.pending.length,
          }
        : null,
    ),
  );
  await ctx.editMessageReplyMarkup();
});

membershipCommands.callbackQuery(/^adm:rmserver:no:([a-z0-9-]{1,32})$/, async (ctx) => {
  await ctx.effects.acknowledge();
  await ctx.answerCallbackQuery();
  await ctx.editMessageReplyMarkup();
  await ctx.reply(ctx.t.admin.removalCancelled(ctx.match[1]!));
});

function removedAlready(
  ctx: BotContext,
  nodeId: string,
  removal: { actor: string; requestedAt: number },
): string {
  return ctx.t.admin.removedAlready(nodeId, removal.actor, removal.requestedAt);
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

/** `/voters` shows the list; `/voters a b c` (or `a,b,c`) names it; `/voters any` lifts it. */
membershipCommands.command("voters", async (ctx) => {
  const t = ctx.t.admin;
  const listed = (value: string) => {
    const ids = voterCandidatesOf(value);
    return ids && [...ids];
  };
  const state = ctx.deps.service.localState;
  // Named members whose node lacks what a leader needs (this leader runs the
  // bot, so the bot token is among it), which are not made voters; and
  // members outside the list that still hold it, given before the list was.
  const credentialNotes = (candidates: readonly string[] | undefined) => {
    const leader = { holdsBotToken: true, holdsDataKeys: true };
    const lacking = (candidates ?? []).filter((id) =>
      lacksLeaderCredentials(state.server(id), leader),
    );
    const holding = candidates
      ? state
          .servers()
          .filter(
            (server) =>
              !candidates.includes(server.id) &&
              (server.holdsDataKeys !== false || server.holdsBotToken !== false),
          )
          .map((server) => server.id)
      : [];
    return (
      (lacking.length > 0 ? `\n${t.votersWithoutLeaderCredentials(lacking)}` : "") +
      (holding.length > 0 ? `\n${t.votersOthersHoldCredentials(holding)}` : "")
    );
  };
  const current = listed(state.setting("voterCandidates"));
  const ids = words(ctx.match.replaceAll(",", " "));
  if (ids.length === 0) {
    await ctx.effects.acknowledge();
    await ctx.reply(t.votersShown(current) + credentialNotes(current));
    return;
  }
  const value = ids.length === 1 && ids[0]!.toLowerCase() === "any" ? "" : ids.join(",");
  if (settingProblem("voterCandidates", value) !== undefined)
    return replyUsage(ctx, "/voters [<node ids>|any]", t.votersUsage(current));
  await ctx.effects.run({
    type: "setSetting",
    key: "voterCandidates",
    value,
    actor: senderActor(ctx),
  });
  await ctx.reply(t.votersSet(listed(value)) + credentialNotes(listed(value)));
});
