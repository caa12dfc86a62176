/**
 * A user's arrival: `/start` (with an invite code from a deep link), an
 * invite code sent as text, or any first message from someone the bot does
 * not know yet. One `upsertUser` proposal records them; the answer depends on
 * the status apply gave them under the access mode in force.
 */
import { Composer } from "grammy";
import type { User } from "../../cluster/fsm/records.ts";
import { accessModeOf, displayName } from "../account.ts";
import { publishAdminMenu } from "../command-menus.ts";
import type { BotContext } from "../context.ts";
import { offerFirstConfig } from "./get-config.ts";
import { MENU, mainMenu } from "./main-menu.ts";

/** `/config`, alone or with words after it, or addressed to the bot (`/config@bot`). */
const CONFIG_COMMAND = /^\/config(@\w+)?(\s|$)/;

/** Invite codes as the control plane accepts them. */
const INVITE_CODE = /^[A-Za-z0-9_-]{4,64}$/;

/**
 * Records the sender (and redeems `inviteCode`), then welcomes them or says
 * what they wait for; returns their record, or undefined when they were not
 * recorded.
 */
export async function arrive(ctx: BotContext, inviteCode?: string): Promise<User | undefined> {
  const from = ctx.from!;
  const { service, bootstrapAdminIds } = ctx.deps;
  const userId = String(from.id);
  const bootstrapAdmin = bootstrapAdminIds.has(userId);
  const isNewcomer = service.localState.user(userId) === undefined;
  if (isNewcomer && !bootstrapAdmin) {
    const perMinute = Number(service.localState.setting("newUsersPerMinute"));
    if (!ctx.deps.newcomers.admit(service.now(), perMinute)) {
      // Turned away without a Raft write: a flood of new accounts costs the cluster nothing.
      await ctx.reply(ctx.t.tooManyNewcomers);
      return undefined;
    }
  }
  const { value } = await ctx.effects.run({
    type: "upsertUser",
    userId,
    name: displayName(from),
    language: ctx.language,
    // Only when first created: an admin's later demotion of a bootstrap admin sticks.
    ...(bootstrapAdmin ? { roleIfNew: "admin" as const } : {}),
    ...(inviteCode !== undefined ? { inviteCode } : {}),
    at: service.now(),
  });
  // A re-delivered update first handled as something else has no result of this kind.
  const user = value?.user ?? service.localState.user(userId);
  if (!user) return undefined;
  ctx.account = user;
  if (user.role === "admin" && user.status === "active")
    await publishAdminMenu(ctx.api, { id: user.id, language: user.language });
  await replyWithStatus(ctx, user);
  return user;
}

/** Tells a user where they stand: the main menu when active, otherwise what to do or wait for. */
export async function replyWithStatus(ctx: BotContext, user: User): Promise<void> {
  const { t } = ctx;
  if (user.status === "active") {
    await ctx.reply(t.welcome(ctx.from?.first_name ?? user.name), { reply_markup: mainMenu(t) });
  } else if (user.status === "blocked") {
    await ctx.reply(t.blocked);
  } else {
    const mode = accessModeOf(ctx.deps.service.localState);
    await ctx.reply(mode === "invite" ? t.needInvite : t.awaitingApproval);
  }
}

/** `/start [invite]`, invite codes sent as text by pending users, and first contact. */
export const onboarding = new Composer<BotContext>();

onboarding.command("start", async (ctx) => {
  const payload = ctx.match.trim();
  await arrive(ctx, INVITE_CODE.test(payload) ? payload : undefined);
});

// Someone the bot does not know yet: whatever they sent, they are recorded
// first; one who asked for a config and is let in gets it too.
onboarding.on(["message", "callback_query"], async (ctx, next) => {
  if (ctx.account) return next();
  const text = ctx.message?.text?.trim() ?? "";
  const code = INVITE_CODE.test(text) && accessModeOf(ctx.deps.service.localState) === "invite";
  const user = await arrive(ctx, code ? text : undefined);
  if (ctx.callbackQuery) await ctx.answerCallbackQuery();
  const askedForConfig = CONFIG_COMMAND.test(text) || ctx.callbackQuery?.data === MENU.config;
  if (askedForConfig && user?.status === "active") await offerFirstConfig(ctx);
});

// A pending user in invite mode who sends a code as plain text.
onboarding.on("message:text", async (ctx, next) => {
  const text = ctx.message.text.trim();
  const pendingForInvite =
    ctx.account?.status === "pending" &&
    accessModeOf(ctx.deps.service.localState) === "invite" &&
    !text.startsWith("/") &&
    INVITE_CODE.test(text);
  if (!pendingForInvite) return next();
  await arrive(ctx, text);
});
