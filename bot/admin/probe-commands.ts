/**
 * `/probes` (or `/probes list`), `/probes add <id> <url> <token> [region] [isp]`
 * and `/probes remove <id>`: the vantage probes ban checks ask from inside the
 * censored network. A message that carries a token is deleted from the chat
 * once the probe is proposed, and no answer ever repeats the token.
 */
import { Composer } from "grammy";
import type { AddedVantageProbe } from "../../cluster/control-plane-service.ts";
import type { VantageProbeView } from "../../cluster/fsm/views.ts";
import { checkVantageProbeInput } from "../../cluster/vantage-probe-input.ts";
import { err } from "../../shared/result.ts";
import { senderActor } from "../account.ts";
import type { BotContext } from "../context.ts";
import { formatDate } from "../format.ts";
import { replyUsage, words } from "./command-args.ts";

const ADD_FORM = "/probes add <id> <url> <token> [region] [isp]";
const REMOVE_FORM = "/probes remove <id>";
const FORMS = `/probes [list], ${ADD_FORM} or ${REMOVE_FORM}`;
const PROBE_ID = /^[A-Za-z0-9_-]{1,64}$/;

function ispOf(probe: Pick<VantageProbeView, "isp">): string {
  return probe.isp === "" ? "ISP unknown" : `ISP ${probe.isp}`;
}

function describeProbe(probe: VantageProbeView): string {
  return `• ${probe.id} [${probe.region}, ${ispOf(probe)}] ${probe.url}, added by ${probe.addedBy} on ${formatDate(probe.addedAt)}`;
}

/** Deletes the command's message; false when Telegram would not (e.g. it is too old). */
async function deleteCommandMessage(ctx: BotContext): Promise<boolean> {
  return ctx.deleteMessage().then(
    () => true,
    () => false,
  );
}

async function listProbes(ctx: BotContext): Promise<void> {
  await ctx.effects.acknowledge();
  const probes = await ctx.deps.service.vantageProbes();
  await ctx.reply(
    probes.length === 0
      ? `No vantage probes yet; ban checks probe from outside only. Add one: ${ADD_FORM}`
      : [`Vantage probes (${probes.length}):`, ...probes.map(describeProbe)].join("\n"),
  );
}

function tokenNote(deleted: boolean): string {
  return deleted
    ? "Your message with the token was deleted from this chat."
    : "I could not delete your message with the token: please delete it yourself.";
}

/**
 * Any words after `add` may hold a token (even in the wrong place), so such a
 * message leaves the chat whatever happens: after the probe is stored, or
 * once the input or the proposal is refused.
 */
async function addProbe(ctx: BotContext, args: string[]): Promise<void> {
  if (args.length === 0) return replyUsage(ctx, ADD_FORM);
  if (ctx.effects.handledBefore) {
    // A re-delivery: the probe was stored and the answer sent. Make sure the
    // token left the chat (the first handling may have stopped short of it),
    // and say nothing twice: a failed second delete means it is gone already.
    await deleteCommandMessage(ctx);
    return;
  }
  const [id, url, token, region, isp, ...extra] = args;
  const checked =
    id === undefined || url === undefined || token === undefined
      ? err("INVALID_PROBE", "an id, a URL and a token are needed")
      : extra.length > 0
        ? err("INVALID_PROBE", "too many words: region and isp are one word each")
        : checkVantageProbeInput({
            id,
            url,
            token,
            ...(region !== undefined ? { region } : {}),
            ...(isp !== undefined ? { isp } : {}),
          });
  if (!checked.ok) {
    const deleted = await deleteCommandMessage(ctx);
    return replyUsage(ctx, `${ADD_FORM}\n${checked.error.message}\n${tokenNote(deleted)}`);
  }
  let added: AddedVantageProbe;
  try {
    added = await ctx.effects.propose((updateId) =>
      ctx.deps.service.addVantageProbe({
        ...checked.value,
        actor: senderActor(ctx),
        updateId,
      }),
    );
  } catch (error) {
    await deleteCommandMessage(ctx);
    throw error;
  }
  const deleted = await deleteCommandMessage(ctx);
  await ctx.reply(
    `Vantage probe ${added.id} added (${added.region}, ${ispOf(added)}): ${added.url}\n${tokenNote(deleted)}`,
  );
}

async function removeProbe(ctx: BotContext, args: string[]): Promise<void> {
  const [id, ...extra] = args;
  if (id === undefined || extra.length > 0 || !PROBE_ID.test(id))
    return replyUsage(ctx, REMOVE_FORM);
  await ctx.effects.propose((updateId) =>
    ctx.deps.service.removeVantageProbe({ id, actor: senderActor(ctx), updateId }),
  );
  await ctx.reply(`Vantage probe ${id} removed; ban checks no longer ask it.`);
}

export const probeCommands = new Composer<BotContext>();

probeCommands.command("probes", async (ctx) => {
  const [action, ...args] = words(ctx.match);
  switch (action) {
    case undefined:
    case "list":
      if (args.length > 0) return replyUsage(ctx, FORMS);
      return listProbes(ctx);
    case "add":
      return addProbe(ctx, args);
    case "remove":
      return removeProbe(ctx, args);
    default:
      return replyUsage(ctx, FORMS);
  }
});
