/**
 * `/probes` (or `/probes list`), `/probes add <id> <url> <token> [region] [isp]
 * [sha256=<fingerprint>] [insecure]` and `/probes remove <id>`: the vantage
 * probes ban checks ask from inside the censored network. A message that
 * carries a token is deleted from the chat once the probe is proposed, and no
 * answer ever repeats the token.
 *
 * The URL is https://: `sha256=` pins the agent's certificate (the
 * fingerprint the agent logs at start, `AB:CD:...` or 64 hex digits), else the
 * certificate must verify against the system CAs. A plain http:// URL is
 * refused unless the word `insecure` says so on purpose.
 */
import { Composer } from "grammy";
import type { AddedVantageProbe } from "../../cluster/control-plane-service.ts";
import {
  type CheckedVantageProbe,
  checkVantageProbeInput,
} from "../../cluster/vantage-probe-input.ts";
import { err, type Result } from "../../shared/result.ts";
import { senderActor } from "../account.ts";
import type { BotContext } from "../context.ts";
import type { ProbeWordsProblem } from "../i18n/admin-messages.ts";
import { deleteCommandMessage, replyUsage, words } from "./command-args.ts";

const ADD_FORM = "/probes add <id> <url> <token> [region] [isp] [sha256=<fingerprint>] [insecure]";
const REMOVE_FORM = "/probes remove <id>";
const FORMS = `/probes [list], ${ADD_FORM} or ${REMOVE_FORM}`;
const PROBE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** What `/probes add` was given, the option words taken out. */
interface AddWords {
  id: string;
  url: string;
  token: string;
  region?: string;
  isp?: string;
  certSha256?: string;
  insecure: boolean;
}

/**
 * Splits `/probes add`'s words: the id, URL and token first, then region and
 * isp in that order, with `sha256=<fingerprint>` and `insecure` anywhere
 * after the token. What is wrong with them, if anything.
 */
function addWords(args: string[]): AddWords | ProbeWordsProblem {
  const [id, url, token, ...rest] = args;
  if (id === undefined || url === undefined || token === undefined) return "MISSING_PROBE_WORDS";
  const positional: string[] = [];
  let certSha256: string | undefined;
  let insecure = false;
  for (const word of rest) {
    const pin = /^sha-?256[=:](.*)$/i.exec(word);
    if (pin) {
      if (certSha256 !== undefined) return "PIN_GIVEN_TWICE";
      certSha256 = pin[1]!;
    } else if (word.toLowerCase() === "insecure") {
      insecure = true;
    } else {
      positional.push(word);
    }
  }
  const [region, isp, ...extra] = positional;
  if (extra.length > 0) return "TOO_MANY_PROBE_WORDS";
  return {
    id,
    url,
    token,
    ...(region !== undefined ? { region } : {}),
    ...(isp !== undefined ? { isp } : {}),
    ...(certSha256 !== undefined ? { certSha256 } : {}),
    insecure,
  };
}

/** What is wrong with `/probes add`'s words in the admin's language, or the probe they describe. */
function probeInput(ctx: BotContext, args: string[]): Result<CheckedVantageProbe> {
  const given = addWords(args);
  if (typeof given === "string") return err(given, ctx.t.admin.probeWords[given]);
  const checked = checkVantageProbeInput(given);
  // The check names the API's field; here it is the sha256= word.
  if (!checked.ok)
    return err(
      checked.error.code,
      checked.error.message.replace(/^certSha256:/, "sha256=<fingerprint>:"),
    );
  return checked;
}

async function listProbes(ctx: BotContext): Promise<void> {
  await ctx.effects.acknowledge();
  const probes = await ctx.deps.service.vantageProbes();
  await ctx.reply(
    probes.length === 0 ? ctx.t.admin.probesEmpty(ADD_FORM) : ctx.t.admin.probes(probes),
  );
}

/**
 * Any words after `add` may hold a token (even in the wrong place), so such a
 * message leaves the chat whatever happens: after the probe is stored, or
 * once the input or the proposal is refused.
 */
async function addProbe(ctx: BotContext, args: string[]): Promise<void> {
  if (args.length === 0) return replyUsage(ctx, ADD_FORM, ctx.t.admin.probeAddHelp);
  if (ctx.effects.handledBefore) {
    // A re-delivery: the probe was stored and the answer sent. Make sure the
    // token left the chat (the first handling may have stopped short of it),
    // and say nothing twice: a failed second delete means it is gone already.
    await deleteCommandMessage(ctx);
    return;
  }
  const checked = probeInput(ctx, args);
  if (!checked.ok) {
    const deleted = await deleteCommandMessage(ctx);
    const problem = `${checked.error.message}\n${ctx.t.admin.probeAddHelp}`;
    return replyUsage(ctx, ADD_FORM, ctx.t.admin.probeInputRefused(problem, deleted));
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
  await ctx.reply(ctx.t.admin.probeAdded(added, deleted));
}

async function removeProbe(ctx: BotContext, args: string[]): Promise<void> {
  const [id, ...extra] = args;
  if (id === undefined || extra.length > 0 || !PROBE_ID.test(id))
    return replyUsage(ctx, REMOVE_FORM);
  await ctx.effects.propose((updateId) =>
    ctx.deps.service.removeVantageProbe({ id, actor: senderActor(ctx), updateId }),
  );
  await ctx.reply(ctx.t.admin.probeRemoved(id));
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
