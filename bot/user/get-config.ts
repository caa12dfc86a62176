/**
 * Getting a config: `/config` or the menu button. With servers in more than
 * one region the user picks one first. The config is issued by one proposal
 * (placement and address are decided by apply) and sent from the committed
 * result; once sent, its private key is erased from the replicated state, so
 * a re-delivered update is told to download it again instead.
 */
import { Composer, InlineKeyboard } from "grammy";
import { CommandRefusedError, type IssuedConfig } from "../../cluster/control-plane-service.ts";
import type { ControlPlaneState } from "../../cluster/fsm/control-plane.ts";
import type { BotContext } from "../context.ts";
import { sendConfigAndForgetKeys } from "./config-delivery.ts";
import { MENU } from "./main-menu.ts";
import { replyWithStatus } from "./onboarding.ts";

const REGION_PREFIX = "config:region:";

/** Regions with at least one server that can take a new config now, sorted. */
export function openRegions(state: ControlPlaneState): string[] {
  const regions = new Set<string>();
  for (const server of state.servers()) {
    if (server.status === "active" && server.endpointHost && server.liveConfigs < server.capacity)
      regions.add(server.region);
  }
  return [...regions].sort();
}

async function issue(ctx: BotContext, region: string | undefined): Promise<void> {
  const { service } = ctx.deps;
  const issued = await ctx.effects
    .propose((updateId) =>
      service.issueConfig({
        userId: String(ctx.from!.id),
        updateId,
        ...(region !== undefined ? { region } : {}),
      }),
    )
    .catch((error: unknown) => {
      // A /config first handled as the sender's arrival (their first message,
      // see offerFirstConfig) and delivered again: its config is keyed to the update.
      if (error instanceof CommandRefusedError && error.code === "UPDATE_HANDLED_OTHERWISE")
        return issueForUpdate(ctx);
      throw error;
    });
  if (ctx.callbackQuery) await ctx.answerCallbackQuery();
  await deliverIssued(ctx, issued);
}

/** Issues a config keyed to this update (its idempotency key): a repeat finds the same config. */
function issueForUpdate(ctx: BotContext): Promise<IssuedConfig> {
  return ctx.deps.service.issueConfig({
    userId: String(ctx.from!.id),
    idempotencyKey: `telegram-update-${ctx.update.update_id}`,
  });
}

/** Sends an issued config, or says why it cannot be sent again. */
async function deliverIssued(ctx: BotContext, issued: IssuedConfig): Promise<void> {
  // A re-delivered update answers with its first config, unless that one was
  // revoked since, or already delivered (its private key is gone then).
  if (issued.confMissing) {
    await ctx.reply(
      issued.confMissing.code === "KEYS_ERASED" ? ctx.t.keysErased : ctx.t.configGone,
    );
    return;
  }
  await sendConfigAndForgetKeys(ctx.api, ctx.deps, ctx.t, ctx.chat!.id, issued.config);
}

async function getConfig(ctx: BotContext): Promise<void> {
  const account = ctx.account!;
  if (account.status !== "active") {
    await ctx.effects.acknowledge();
    if (ctx.callbackQuery) await ctx.answerCallbackQuery();
    return replyWithStatus(ctx, account);
  }
  const regions = openRegions(ctx.deps.service.localState);
  // With one region (or none: apply then answers "no capacity") there is nothing to choose.
  if (regions.length <= 1) return issue(ctx, undefined);
  await ctx.effects.acknowledge();
  if (ctx.callbackQuery) await ctx.answerCallbackQuery();
  await askForRegion(ctx, regions);
}

async function askForRegion(ctx: BotContext, regions: readonly string[]): Promise<void> {
  const keyboard = new InlineKeyboard();
  for (const region of regions) keyboard.text(region, `${REGION_PREFIX}${region}`).row();
  await ctx.reply(ctx.t.chooseRegion, { reply_markup: keyboard });
}

/**
 * A newcomer whose first message asked for a config (a shared link, a typed
 * /config) and who is in now (open mode): the update's one proposal recorded
 * them, so the config is issued by a second command keyed to the update
 * (its idempotency key), which a re-delivery of the update finds again
 * instead of issuing another config.
 */
export async function offerFirstConfig(ctx: BotContext): Promise<void> {
  const regions = openRegions(ctx.deps.service.localState);
  if (regions.length > 1) return askForRegion(ctx, regions);
  await deliverIssued(ctx, await issueForUpdate(ctx));
}

export const getConfigFlow = new Composer<BotContext>();

getConfigFlow.command("config", getConfig);
getConfigFlow.callbackQuery(MENU.config, getConfig);
getConfigFlow.callbackQuery(new RegExp(`^${REGION_PREFIX}([A-Za-z0-9_.-]{1,32})$`), (ctx) =>
  issue(ctx, ctx.match[1]),
);
