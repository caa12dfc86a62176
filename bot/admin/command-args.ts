/** Reading admin command arguments, and the reply that shows the right form. */
import type { BotContext } from "../context.ts";

/** The words after the command, split on whitespace. */
export function words(match: string): string[] {
  return match
    .trim()
    .split(/\s+/)
    .filter((word) => word !== "");
}

/** A Telegram user id as the control plane keeps it, or undefined. */
export function userIdArgument(word: string | undefined): string | undefined {
  return word !== undefined && /^[1-9][0-9]{0,19}$/.test(word) ? word : undefined;
}

/**
 * Deletes the command's message (one that carried a secret); false when
 * Telegram would not (e.g. it is older than 48 hours).
 */
export async function deleteCommandMessage(ctx: BotContext): Promise<boolean> {
  return ctx.deleteMessage().then(
    () => true,
    () => false,
  );
}

/** Answers a malformed command with its right form and what its words mean; changes nothing. */
export async function replyUsage(
  ctx: BotContext,
  form: string,
  explanation?: string,
): Promise<void> {
  await ctx.effects.acknowledge();
  await ctx.reply(ctx.t.admin.usage(form, explanation));
}
