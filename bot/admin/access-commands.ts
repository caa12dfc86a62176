/**
 * Who gets in: `/invite [uses]` makes an invite link, `/approve` lists users
 * waiting for approval with Approve and Reject buttons (either way the user
 * is told, through the outbox), `/accessmode` sets how new users get access.
 */
import { randomBytes } from "node:crypto";
import { Composer, InlineKeyboard } from "grammy";
import type { User } from "../../cluster/fsm/records.ts";
import { ACCESS_MODES } from "../../cluster/fsm/settings.ts";
import { accessModeOf, senderActor } from "../account.ts";
import type { BotContext } from "../context.ts";
import type { AdminMessages } from "../i18n/admin-messages.ts";
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
    return replyUsage(ctx, "/invite [uses]", ctx.t.admin.inviteUsage(MAX_INVITE_USES));
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
  await ctx.reply(ctx.t.admin.inviteCreated(uses, link, code));
});

accessCommands.command("accessmode", async (ctx) => {
  const [mode, extra] = words(ctx.match);
  const state = ctx.deps.service.localState;
  if (
    mode === undefined ||
    extra !== undefined ||
    !(ACCESS_MODES as readonly string[]).includes(mode)
  )
    return replyUsage(
      ctx,
      `/accessmode ${ACCESS_MODES.join("|")}`,
      ctx.t.admin.accessModeUsage(ACCESS_MODES, accessModeOf(state)),
    );
  await ctx.effects.run({
    type: "setSetting",
    key: "accessMode",
    value: mode,
    actor: senderActor(ctx),
  });
  await ctx.reply(ctx.t.admin.accessModeSet(mode));
});

function pendingKeyboard(t: AdminMessages, users: User[]): InlineKeyboard {
  const keyboard = new InlineKeyboard();
  for (const user of users) {
    keyboard
      .text(`✅ ${user.name || user.id}`, `adm:approve:${user.id}`)
      .text(t.rejectButton, `adm:reject:${user.id}`)
      .row();
  }
  return keyboard;
}

accessCommands.command("approve", async (ctx) => {
  const t = ctx.t.admin;
  await ctx.effects.acknowledge();
  const pending = ctx.deps.service.localState.pendingUsers();
  if (pending.length === 0) {
    await ctx.reply(t.nobodyWaiting);
    return;
  }
  const shown = pending.slice(0, PENDING_SHOWN);
  await ctx.reply([t.waitingHeading(pending.length), ...shown.map(t.waitingLine)].join("\n"), {
    reply_markup: pendingKeyboard(t, shown),
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
    const t = ctx.t.admin;
    await ctx.answerCallbackQuery({
      text: action === "approve" ? t.approvedToast : t.rejectedToast,
    });
    await ctx.reply(action === "approve" ? t.userApproved(userId) : t.userRejected(userId));
  });
}
