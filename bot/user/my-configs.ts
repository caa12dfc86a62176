/**
 * A user's own configs: `/myconfigs` or the menu button lists the live ones
 * (name, server, created, expires) with buttons to download each again (with a new
 * key pair, since the old private key was erased once delivered) or revoke
 * it after a confirmation. Only the sender's own configs are ever shown or
 * touched: every button is checked against the sender, and revoking carries
 * the owner so apply refuses anyone else.
 */
import { Composer, InlineKeyboard } from "grammy";
import { type Config, isLive } from "../../cluster/fsm/records.ts";
import { senderActor } from "../account.ts";
import type { BotContext } from "../context.ts";
import { configNameOf, namedLiveConfigsOf, sendConfigAndForgetKeys } from "./config-delivery.ts";
import { MENU } from "./main-menu.ts";

const CONFIG_ID = "([A-Za-z0-9_-]{1,40})";

/** The sender's live config with this id, or undefined (someone else's counts as absent). */
function ownLiveConfig(ctx: BotContext, configId: string): Config | undefined {
  const config = ctx.deps.service.localState.config(configId);
  return config && config.userId === String(ctx.from!.id) && isLive(config) ? config : undefined;
}

async function listConfigs(ctx: BotContext): Promise<void> {
  await ctx.effects.acknowledge();
  if (ctx.callbackQuery) await ctx.answerCallbackQuery();
  const { t } = ctx;
  const state = ctx.deps.service.localState;
  const live = namedLiveConfigsOf(state, String(ctx.from!.id));
  if (live.length === 0) {
    await ctx.reply(t.myConfigsEmpty);
    return;
  }
  const lines = live.map(({ config, name }) =>
    t.configLine({
      name,
      serverId: config.serverId,
      region: state.server(config.serverId)?.region ?? "",
      createdAt: config.createdAt,
      expiresAt: config.expiresAt,
    }),
  );
  const keyboard = new InlineKeyboard();
  for (const { config, name } of live) {
    keyboard
      .text(t.downloadButton(name), `cfg:get:${config.id}`)
      .text(t.revokeButton(name), `cfg:revoke:${config.id}`)
      .row();
  }
  await ctx.reply([t.myConfigsHeader(live.length), ...lines].join("\n"), {
    reply_markup: keyboard,
  });
}

export const myConfigsFlow = new Composer<BotContext>();

myConfigsFlow.command("myconfigs", listConfigs);
myConfigsFlow.callbackQuery(MENU.myConfigs, listConfigs);

// Downloading again re-keys the config: its private key was erased once delivered.
myConfigsFlow.callbackQuery(new RegExp(`^cfg:get:${CONFIG_ID}$`), async (ctx) => {
  const config = ownLiveConfig(ctx, ctx.match[1]!);
  if (!config) {
    await ctx.effects.acknowledge();
    await ctx.answerCallbackQuery();
    await ctx.reply(ctx.t.configGone);
    return;
  }
  const { service } = ctx.deps;
  const rekeyed = await ctx.effects.propose((updateId) =>
    service.rekeyConfig({ configId: config.id, userId: String(ctx.from!.id), updateId }),
  );
  await ctx.answerCallbackQuery();
  if (rekeyed.confMissing) {
    await ctx.reply(ctx.t.configGone);
    return;
  }
  await sendConfigAndForgetKeys(
    ctx.api,
    ctx.deps,
    ctx.t,
    ctx.chat!.id,
    rekeyed.config,
    ctx.t.rekeyed(configNameOf(service.localState, rekeyed.config)),
  );
});

myConfigsFlow.callbackQuery(new RegExp(`^cfg:revoke:${CONFIG_ID}$`), async (ctx) => {
  await ctx.effects.acknowledge();
  await ctx.answerCallbackQuery();
  const config = ownLiveConfig(ctx, ctx.match[1]!);
  if (!config) {
    await ctx.reply(ctx.t.configGone);
    return;
  }
  const { t } = ctx;
  await ctx.reply(t.revokeConfirm(configNameOf(ctx.deps.service.localState, config)), {
    reply_markup: new InlineKeyboard()
      .text(t.revokeYes, `cfg:revoke-yes:${config.id}`)
      .text(t.revokeNo, "cfg:keep"),
  });
});

myConfigsFlow.callbackQuery(new RegExp(`^cfg:revoke-yes:${CONFIG_ID}$`), async (ctx) => {
  const { service } = ctx.deps;
  const userId = String(ctx.from!.id);
  const revoked = await ctx.effects.propose((updateId) =>
    service.revokeConfig({
      configId: ctx.match[1]!,
      userId,
      actor: senderActor(ctx),
      reason: "revoked by its owner",
      updateId,
    }),
  );
  await ctx.answerCallbackQuery();
  await ctx.editMessageReplyMarkup();
  await ctx.reply(ctx.t.revoked(configNameOf(service.localState, revoked)));
});

myConfigsFlow.callbackQuery("cfg:keep", async (ctx) => {
  await ctx.effects.acknowledge();
  await ctx.answerCallbackQuery();
  await ctx.editMessageReplyMarkup();
  await ctx.reply(ctx.t.revokeCancelled);
});
