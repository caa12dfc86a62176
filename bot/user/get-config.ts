/**
 * Getting a config: `/config` or the menu button. When the active servers
 * offer more than one protocol the user picks one first (their last choice
 * is marked and offered first), then a region when the protocol is served in
 * more than one. The config is issued by one proposal (placement, address
 * and port are decided by apply) and sent from the committed result; once
 * sent, its keys are erased from the replicated state, so a re-delivered
 * update is told to download it again instead.
 */
import { Composer, InlineKeyboard } from "grammy";
import type { ControlPlaneState } from "../../cluster/fsm/control-plane.ts";
import {
  CONFIG_PROTOCOLS,
  type ConfigProtocol,
  PROTOCOL_NAMES,
} from "../../cluster/fsm/records.ts";
import type { ServerView } from "../../cluster/fsm/views.ts";
import type { BotContext } from "../context.ts";
import { sendConfigAndForgetKeys } from "./config-delivery.ts";
import { MENU } from "./main-menu.ts";
import { replyWithStatus } from "./onboarding.ts";

const PROTOCOL_PREFIX = "config:protocol:";
const REGION_PREFIX = "config:region:";

function canTake(server: ServerView): boolean {
  return (
    server.status === "active" &&
    server.endpointHost !== null &&
    server.liveConfigs < server.capacity
  );
}

/** Regions with at least one server that can take a new config of `protocol` now, sorted. */
export function openRegions(
  state: ControlPlaneState,
  protocol: ConfigProtocol = "wireguard",
): string[] {
  const regions = new Set<string>();
  for (const server of state.servers())
    if (canTake(server) && server.protocols.includes(protocol)) regions.add(server.region);
  return [...regions].sort();
}

/** Protocols that active servers offer, the user's last choice first, then in CONFIG_PROTOCOLS order. */
export function offeredProtocols(
  state: ControlPlaneState,
  preferred: ConfigProtocol | null,
): ConfigProtocol[] {
  const offered = new Set<ConfigProtocol>();
  for (const server of state.servers())
    if (server.status === "active") for (const protocol of server.protocols) offered.add(protocol);
  const ordered = CONFIG_PROTOCOLS.filter((protocol) => offered.has(protocol));
  return preferred !== null && offered.has(preferred)
    ? [preferred, ...ordered.filter((protocol) => protocol !== preferred)]
    : ordered;
}

async function issue(
  ctx: BotContext,
  protocol: ConfigProtocol,
  region: string | undefined,
): Promise<void> {
  const { service } = ctx.deps;
  const issued = await ctx.effects.propose((updateId) =>
    service.issueConfig({
      userId: String(ctx.from!.id),
      updateId,
      protocol,
      ...(region !== undefined ? { region } : {}),
    }),
  );
  if (ctx.callbackQuery) await ctx.answerCallbackQuery();
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

async function acknowledged(ctx: BotContext): Promise<void> {
  await ctx.effects.acknowledge();
  if (ctx.callbackQuery) await ctx.answerCallbackQuery();
}

/** Issues in `protocol`, after asking for a region when it is served in more than one. */
async function chooseRegionFor(ctx: BotContext, protocol: ConfigProtocol): Promise<void> {
  const regions = openRegions(ctx.deps.service.localState, protocol);
  // With one region (or none: apply then answers "no capacity") there is nothing to choose.
  if (regions.length <= 1) return issue(ctx, protocol, undefined);
  await acknowledged(ctx);
  const keyboard = new InlineKeyboard();
  for (const region of regions)
    keyboard.text(region, `${REGION_PREFIX}${protocol}:${region}`).row();
  await ctx.reply(ctx.t.chooseRegion, { reply_markup: keyboard });
}

async function getConfig(ctx: BotContext): Promise<void> {
  const account = ctx.account!;
  if (account.status !== "active") {
    await acknowledged(ctx);
    return replyWithStatus(ctx, account);
  }
  const state = ctx.deps.service.localState;
  const preferred = state.user(account.id)?.preferredProtocol ?? null;
  const protocols = offeredProtocols(state, preferred);
  if (protocols.length <= 1) return chooseRegionFor(ctx, protocols[0] ?? "wireguard");
  await acknowledged(ctx);
  const keyboard = new InlineKeyboard();
  for (const protocol of protocols) {
    const label = `${PROTOCOL_NAMES[protocol]}${protocol === preferred ? " ✓" : ""}`;
    keyboard.text(label, `${PROTOCOL_PREFIX}${protocol}`).row();
  }
  await ctx.reply(ctx.t.chooseProtocol, { reply_markup: keyboard });
}

const protocolPattern = CONFIG_PROTOCOLS.join("|");

export const getConfigFlow = new Composer<BotContext>();

getConfigFlow.command("config", getConfig);
getConfigFlow.callbackQuery(MENU.config, getConfig);
getConfigFlow.callbackQuery(new RegExp(`^${PROTOCOL_PREFIX}(${protocolPattern})$`), (ctx) =>
  chooseRegionFor(ctx, ctx.match[1] as ConfigProtocol),
);
getConfigFlow.callbackQuery(
  new RegExp(`^${REGION_PREFIX}(${protocolPattern}):([A-Za-z0-9_.-]{1,32})$`),
  (ctx) => issue(ctx, ctx.match[1] as ConfigProtocol, ctx.match[2]),
);
