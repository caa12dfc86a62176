/**
 * Who gets in: `/invite [uses]` makes an invite link, `/approve` lists users
 * waiting for approval with Approve and Reject buttons, `/accessmode` sets
 * how new users get access.
 */
import { randomBytes } from "node:crypto";
import { Composer, InlineKeyboard } from "grammy";
import type { User } from "../../cluster/fsm/records.ts";
import { ACCESS_MODES } from "../../cluster/fsm/settings.ts";
import { accessModeOf, senderActor } from "../account.ts";
import type { BotContext } from "../context.ts";
import { replyUsage, words } from "./command-args.ts";

const PENDING_SHOWN = 20;
const MAX_INVITE_USES = 100_000;

/** A fresh invite code: 12 unguessable characters that fit a /start deep link. */
export function newInviteCode(): string {
  return randomBytes(9).toString("base64url");
}

export const accessCommands = new Composer<BotContext>();

accessCommands.command("invite", async (ctx) => {
  const [usesWord, extra] = words(ctx.match);
  const uses = usesWord === undefined ? 1 : Number(usesWord);
  if (extra !== undefined || !Number.isInteger(uses) || uses < 1 || uses > MAX_INVITE_USES)
    return replyUsage(ctx, `/invite [uses], uses from 1 to ${MAX_INVITE_USES} (default 1)`);
  const { value } = await ctx.effects.run({
    type: "createInvite",
    code: newInviteCode(),
    uses,
    actor: senderActor(ctx),
    at: ctx.deps.service.now(),
  });
  const code = value?.invite.code;
  if (!code) return;
  const link = `https://t.me/${ctx.me.username}?start=${code}`;
  await ctx.reply(`Invite for ${uses} user(s):\n${link}\nOr send the bot: /start ${code}`);
});

accessCommands.command("accessmode", async (ctx) => {
  const [mode, extra] = words(ctx.match);
  const state = ctx.deps.service.localState;
  if (
    mode === undefined ||
    extra !== undefined ||
    !(ACCESS_MODES as readonly string[]).includes(mode)
  )
    return replyUsage(ctx, `/accessmode ${ACCESS_MODES.join("|")} (now: ${accessModeOf(state)})`);
  await ctx.effects.run({
    type: "setSetting",
    key: "accessMode",
    value: mode,
    actor: senderActor(ctx),
  });
  await ctx.reply(`Access mode is now ${mode}.`);
});

function pendingKeyboard(users: User[]): InlineKeyboard {
  const keyboard = new InlineKeyboard();
  for (const user of users) {
    keyboard
      .text(`✅ ${user.name || user.id}`, `adm:approve:${user.id}`)
      .text("❌ Reject", `adm:reject:${user.id}`)
      .row();
  }
  return keyboard;
}

accessCommands.command("approve", async (ctx) => {
  await ctx.effects.acknowledge();
  const pending = ctx.deps.service.localState.pendingUsers();
  if (pending.length === 0) {
    await ctx.reply("Nobody is waiting for approval.");
    return;
  }
  const shown = pending.slice(0, PENDING_SHOWN);
  const lines = shown.map((user) => `• ${user.id} ${user.name || "(no name)"}`);
  await ctx.reply([`Waiting for approval (${pending.length}):`, ...lines].join("\n"), {
    reply_markup: pendingKeyboard(shown),
  });
});

for (const [action, status] of [
  ["approve", "active"],
  ["reject", "blocked"],
] as const) {
  accessCommands.callbackQuery(new RegExp(`^adm:${action}:([0-9]{1,20})$`), async (ctx) => {
    const userId = ctx.match[1]!;
    await ctx.effects.run({
      type: "setUserStatus",
      userId,
      status,
      actor: senderActor(ctx),
      at: ctx.deps.service.now(),
    });
    await ctx.answerCallbackQuery({ text: action === "approve" ? "Approved" : "Rejected" });
    await ctx.reply(
      `User ${userId} is ${action === "approve" ? "approved" : "rejected (blocked)"}.`,
    );
  });
}
