/**
 * Managing users: `/users`, `/user <id>` with their traffic and block,
 * unblock and revoke buttons, `/user <id> quota ...`, `/promote` and
 * `/demote <id>`. The only admin is never demoted (apply refuses it too),
 * and demoting oneself asks first.
 */
import { Composer, InlineKeyboard } from "grammy";
import { MAX_QUOTA_GB, quotaGbSchema } from "../../cluster/fsm/commands.ts";
import type { User, UserRole } from "../../cluster/fsm/records.ts";
import type { TrafficUsage } from "../../cluster/fsm/traffic-usage.ts";
import { senderActor } from "../account.ts";
import { publishAdminMenu, removeAdminMenu } from "../command-menus.ts";
import type { BotContext } from "../context.ts";
import type { AdminMessages, AdminUsageView } from "../i18n/admin-messages.ts";
import type { Messages } from "../i18n/messages.ts";
import { configNameOf, namedLiveConfigsOf } from "../user/config-delivery.ts";
import { usageView } from "../user/usage.ts";
import { replyUsage, userIdArgument, words } from "./command-args.ts";

const USERS_SHOWN = 30;
const QUOTA_FORM = `/user <telegram id> quota <GB 0-${MAX_QUOTA_GB}>|unlimited|default|lift`;

/** A user's traffic as admins read it, in `t`'s language and units. */
function adminUsageView(usage: TrafficUsage, t: Messages): AdminUsageView {
  return { ...usageView(usage, t), quotaIsDefault: usage.quotaIsDefault, lifted: usage.lifted };
}

/** The quota an admin typed: GB, `unlimited` (0), `default` (null), or `lift`; undefined when malformed. */
export function quotaArgument(word: string | undefined): number | null | "lift" | undefined {
  if (word === "unlimited") return 0;
  if (word === "default") return null;
  if (word === "lift") return word;
  if (word === undefined || !/^\d{1,6}(?:\.\d{1,3})?$/.test(word)) return undefined;
  const quota = quotaGbSchema.safeParse(Number(word));
  return quota.success ? quota.data : undefined;
}

function userKeyboard(t: AdminMessages, user: User): InlineKeyboard {
  const keyboard = new InlineKeyboard();
  if (user.status === "blocked") keyboard.text(t.unblockButton, `adm:unblock:${user.id}`);
  else keyboard.text(t.blockButton, `adm:block:${user.id}`);
  return keyboard.text(t.revokeConfigsButton, `adm:configs:${user.id}`);
}

export const userCommands = new Composer<BotContext>();

userCommands.command("users", async (ctx) => {
  await ctx.effects.acknowledge();
  const page = ctx.deps.service.localState.users({ limit: USERS_SHOWN });
  await ctx.reply(
    page.total === 0 ? ctx.t.admin.usersEmpty : ctx.t.admin.users(page.users, page.total),
  );
});

userCommands.command("user", async (ctx) => {
  const [idWord, action, quotaWord] = words(ctx.match);
  const userId = userIdArgument(idWord);
  if (!userId) return replyUsage(ctx, `/user <telegram id> | ${QUOTA_FORM}`);
  if (action !== undefined) {
    const quota = action === "quota" ? quotaArgument(quotaWord) : undefined;
    if (quota === undefined) return replyUsage(ctx, QUOTA_FORM);
    const at = ctx.deps.service.now();
    const actor = senderActor(ctx);
    const { value } =
      quota === "lift"
        ? await ctx.effects.run({ type: "liftTrafficSuspension", userId, actor, at })
        : await ctx.effects.run({ type: "setUserQuota", userId, quotaGb: quota, actor, at });
    const usage = value?.usage ?? ctx.deps.service.localState.trafficUsage(userId, at);
    await ctx.reply(ctx.t.admin.quotaSet(userId, adminUsageView(usage, ctx.t)));
    return;
  }
  await ctx.effects.acknowledge();
  const state = ctx.deps.service.localState;
  const user = state.user(userId);
  if (!user) {
    await ctx.reply(ctx.t.admin.noSuchUser(userId));
    return;
  }
  const names = namedLiveConfigsOf(state, userId).map(({ name }) => name);
  const usage = state.trafficUsage(userId, ctx.deps.service.now());
  const traffic = ctx.t.admin.traffic(adminUsageView(usage, ctx.t));
  await ctx.reply(`${ctx.t.admin.userInFull(user, names)}\n${traffic}`, {
    reply_markup: userKeyboard(ctx.t.admin, user),
  });
});

for (const [action, status] of [
  ["block", "blocked"],
  ["unblock", "active"],
] as const) {
  userCommands.callbackQuery(new RegExp(`^adm:${action}:([0-9]{1,20})$`), async (ctx) => {
    const userId = ctx.match[1]!;
    const { value } = await ctx.effects.run({
      type: "setUserStatus",
      userId,
      status,
      actor: senderActor(ctx),
      at: ctx.deps.service.now(),
    });
    await ctx.answerCallbackQuery();
    const revoked = value?.revokedConfigIds.length ?? 0;
    const user = value?.user ?? ctx.deps.service.localState.user(userId);
    await ctx.editMessageReplyMarkup(
      user ? { reply_markup: userKeyboard(ctx.t.admin, user) } : undefined,
    );
    await ctx.reply(ctx.t.admin.userStatusSet(userId, status, revoked));
  });
}

userCommands.callbackQuery(/^adm:configs:([0-9]{1,20})$/, async (ctx) => {
  await ctx.effects.acknowledge();
  await ctx.answerCallbackQuery();
  const userId = ctx.match[1]!;
  const live = namedLiveConfigsOf(ctx.deps.service.localState, userId);
  if (live.length === 0) {
    await ctx.reply(ctx.t.admin.noLiveConfigs(userId));
    return;
  }
  const keyboard = new InlineKeyboard();
  for (const { config, name } of live)
    keyboard
      .text(ctx.t.admin.revokeConfigButton(name, config.createdAt), `adm:revoke:${config.id}`)
      .row();
  await ctx.reply(ctx.t.admin.liveConfigsOf(userId), { reply_markup: keyboard });
});

userCommands.callbackQuery(/^adm:revoke:([A-Za-z0-9_-]{1,40})$/, async (ctx) => {
  const configId = ctx.match[1]!;
  const revoked = await ctx.effects.propose((updateId) =>
    ctx.deps.service.revokeConfig({
      configId,
      actor: senderActor(ctx),
      reason: "revoked by an admin",
      updateId,
    }),
  );
  await ctx.answerCallbackQuery();
  const name = configNameOf(ctx.deps.service.localState, revoked);
  await ctx.reply(ctx.t.admin.configRevoked(name, revoked.userId));
});

/** Sets `userId`'s role, moves their command menu, and says so. */
async function setRole(ctx: BotContext, userId: string, role: UserRole): Promise<void> {
  const { value } = await ctx.effects.run({
    type: "setUserRole",
    userId,
    role,
    actor: senderActor(ctx),
    at: ctx.deps.service.now(),
  });
  const user = value?.user ?? ctx.deps.service.localState.user(userId);
  // Menus are a convenience: a user who never wrote to the bot has no chat to set one in.
  const menu =
    role === "admin" ? user && publishAdminMenu(ctx.api, user) : removeAdminMenu(ctx.api, userId);
  await menu?.catch(() => undefined);
  await ctx.reply(ctx.t.admin.roleSet(userId, role));
}

userCommands.command("promote", async (ctx) => {
  const userId = userIdArgument(words(ctx.match)[0]);
  if (!userId) return replyUsage(ctx, "/promote <telegram id>");
  await setRole(ctx, userId, "admin");
});

userCommands.command("demote", async (ctx) => {
  const userId = userIdArgument(words(ctx.match)[0]);
  if (!userId) return replyUsage(ctx, "/demote <telegram id>");
  const state = ctx.deps.service.localState;
  const admins = state.activeAdminIds();
  if (admins.length === 1 && admins[0] === userId) {
    await ctx.effects.acknowledge();
    await ctx.reply(ctx.t.admin.lastAdmin(userId));
    return;
  }
  if (userId === String(ctx.from!.id)) {
    await ctx.effects.acknowledge();
    await ctx.reply(ctx.t.admin.demoteSelfConfirm, {
      reply_markup: new InlineKeyboard()
        .text(ctx.t.admin.demoteSelfButton, `adm:demote:yes:${userId}`)
        .text(ctx.t.admin.keepAdminButton, "adm:demote:no"),
    });
    return;
  }
  await setRole(ctx, userId, "user");
});

userCommands.callbackQuery(/^adm:demote:yes:([0-9]{1,20})$/, async (ctx) => {
  await ctx.answerCallbackQuery();
  // Only the sender's own demotion is confirmed by a button.
  if (ctx.match[1] !== String(ctx.from.id)) {
    await ctx.effects.acknowledge();
    return;
  }
  await ctx.editMessageReplyMarkup();
  await setRole(ctx, ctx.match[1]!, "user");
});

userCommands.callbackQuery("adm:demote:no", async (ctx) => {
  await ctx.effects.acknowledge();
  await ctx.answerCallbackQuery();
  await ctx.editMessageReplyMarkup();
  await ctx.reply(ctx.t.admin.demoteCancelled);
});
