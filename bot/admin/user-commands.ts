/**
 * Managing users: `/users`, `/user <id>` with their traffic and block,
 * unblock and revoke buttons, `/user <id> quota ...`, `/promote` and
 * `/demote <id>`.
 */
import { Composer, InlineKeyboard } from "grammy";
import { MAX_QUOTA_GB, quotaGbSchema } from "../../cluster/fsm/commands.ts";
import { isLive, type User } from "../../cluster/fsm/records.ts";
import type { TrafficUsage } from "../../cluster/fsm/traffic-usage.ts";
import { senderActor } from "../account.ts";
import { publishAdminMenu, removeAdminMenu } from "../command-menus.ts";
import type { BotContext } from "../context.ts";
import { formatBytes, formatDate } from "../format.ts";
import { en } from "../i18n/en.ts";
import { replyUsage, userIdArgument, words } from "./command-args.ts";

const USERS_SHOWN = 30;
const QUOTA_FORM = `/user <telegram id> quota <GB 0-${MAX_QUOTA_GB}>|unlimited|default|lift`;

/** A user's traffic in one line for admins (English, like every admin text). */
export function describeUsage(usage: TrafficUsage): string {
  const bytes = (value: number) => formatBytes(value, en.byteUnits);
  const quota =
    usage.quotaBytes === 0
      ? "no limit"
      : `${bytes(usage.quotaBytes)} (${Math.floor((usage.usedBytes * 100) / usage.quotaBytes)} %)`;
  const state = usage.suspended
    ? "; SUSPENDED (quota used up)"
    : usage.lifted
      ? "; suspension lifted"
      : "";
  return `Traffic: ${bytes(usage.usedBytes)} of ${quota}${usage.quotaIsDefault ? ", the default quota" : ""}; up ${bytes(usage.uploadBytes)}, down ${bytes(usage.downloadBytes)}; resets ${formatDate(usage.resetsAt)}${state}`;
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

function describeUser(user: User): string {
  const name = user.name || "(no name)";
  return `• ${user.id} ${name}: ${user.role}, ${user.status}, since ${formatDate(user.createdAt)}`;
}

function userKeyboard(user: User): InlineKeyboard {
  const keyboard = new InlineKeyboard();
  if (user.status === "blocked") keyboard.text("Unblock", `adm:unblock:${user.id}`);
  else keyboard.text("Block", `adm:block:${user.id}`);
  return keyboard.text("Revoke configs…", `adm:configs:${user.id}`);
}

export const userCommands = new Composer<BotContext>();

userCommands.command("users", async (ctx) => {
  await ctx.effects.acknowledge();
  const page = ctx.deps.service.localState.users({ limit: USERS_SHOWN });
  const more =
    page.total > page.users.length ? `\n… and ${page.total - page.users.length} more` : "";
  await ctx.reply(
    page.total === 0
      ? "No users yet."
      : `Users (${page.total}):\n${page.users.map(describeUser).join("\n")}${more}\nDetails: /user <id>`,
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
    await ctx.reply(`User ${userId}: ${describeUsage(usage)}`);
    return;
  }
  await ctx.effects.acknowledge();
  const state = ctx.deps.service.localState;
  const user = state.user(userId);
  if (!user) {
    await ctx.reply(`No user ${userId} has started the bot.`);
    return;
  }
  const live = state.configsOfUser(userId).filter(isLive);
  const usage = state.trafficUsage(userId, ctx.deps.service.now());
  await ctx.reply(
    `${describeUser(user)}\nLive configs: ${live.map((config) => config.serverId).join(", ") || "none"}\n${describeUsage(usage)}`,
    { reply_markup: userKeyboard(user) },
  );
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
    await ctx.editMessageReplyMarkup(user ? { reply_markup: userKeyboard(user) } : undefined);
    await ctx.reply(
      `User ${userId} is now ${status}.${revoked > 0 ? ` ${revoked} config(s) revoked.` : ""}`,
    );
  });
}

userCommands.callbackQuery(/^adm:configs:([0-9]{1,20})$/, async (ctx) => {
  await ctx.effects.acknowledge();
  await ctx.answerCallbackQuery();
  const userId = ctx.match[1]!;
  const live = ctx.deps.service.localState.configsOfUser(userId).filter(isLive);
  if (live.length === 0) {
    await ctx.reply(`User ${userId} has no live configs.`);
    return;
  }
  const keyboard = new InlineKeyboard();
  for (const config of live)
    keyboard
      .text(
        `Revoke ${config.serverId} (${formatDate(config.createdAt)})`,
        `adm:revoke:${config.id}`,
      )
      .row();
  await ctx.reply(`Live configs of ${userId}:`, { reply_markup: keyboard });
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
  await ctx.reply(`Config on ${revoked.serverId} of user ${revoked.userId} is revoked.`);
});

for (const [command, role] of [
  ["promote", "admin"],
  ["demote", "user"],
] as const) {
  userCommands.command(command, async (ctx) => {
    const userId = userIdArgument(words(ctx.match)[0]);
    if (!userId) return replyUsage(ctx, `/${command} <telegram id>`);
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
    await ctx.reply(`User ${userId} is now ${role === "admin" ? "an admin" : "a plain user"}.`);
  });
}
