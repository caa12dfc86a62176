/**
 * `/subscription`: the user's subscription URL with its QR code, issued the
 * first time (one proposal, carrying the update's id); `/subscription reset`
 * re-issues it, and the old URL stops working. Showing an existing URL
 * writes nothing.
 */
import { Composer, InputFile } from "grammy";
import type { BotContext } from "../context.ts";
import { replyWithStatus } from "./onboarding.ts";

async function subscription(ctx: BotContext): Promise<void> {
  const account = ctx.account!;
  if (account.status !== "active") {
    await ctx.effects.acknowledge();
    return replyWithStatus(ctx, account);
  }
  const reset =
    String(ctx.match ?? "")
      .trim()
      .toLowerCase() === "reset";
  const { subscriptions, service, qrCodes } = ctx.deps;
  if (!reset && service.localState.subscriptionOf(account.id)) await ctx.effects.acknowledge();
  else
    await ctx.effects.propose((updateId) =>
      subscriptions.issue({ userId: account.id, replace: reset, updateId }),
    );
  const url = subscriptions.urlOf(account.id);
  if (url === undefined) {
    await ctx.reply(ctx.t.tryAgain);
    return;
  }
  const rendering = qrCodes.render(url);
  await ctx.reply(reset ? ctx.t.subscriptionReset(url) : ctx.t.subscription(url));
  const qrCode = await rendering;
  if (qrCode.ok)
    await ctx.replyWithPhoto(new InputFile(qrCode.value, "subscription.png"), {
      caption: ctx.t.subscriptionQrCaption,
    });
}

export const subscriptionFlow = new Composer<BotContext>();

subscriptionFlow.command("subscription", subscription);
