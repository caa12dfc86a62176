/**
 * `/backup`: the encrypted backup file of the replicated state, as a
 * document, or why there is none (no passphrase set yet).
 * `/backup passphrase <text>`: sets the passphrase backups are encrypted to.
 * Only its key check reaches the cluster (cluster/backup/backup-service.ts);
 * the message carrying it is deleted from the chat (Telegram lets a bot
 * delete messages in a private chat for 48 hours), and no answer repeats it.
 */
import { Composer, InputFile } from "grammy";
import {
  MAX_PASSPHRASE_LENGTH,
  MIN_PASSPHRASE_LENGTH,
  passphraseProblem,
} from "../../shared/crypto/backup-passphrase-key.ts";
import { senderActor } from "../account.ts";
import type { BotContext } from "../context.ts";
import { deleteCommandMessage, replyUsage } from "./command-args.ts";

const FORMS = "/backup | /backup passphrase <text>";

async function sendBackup(ctx: BotContext): Promise<void> {
  await ctx.effects.acknowledge();
  const made = await ctx.deps.backups.make();
  if (!made.ok) {
    await ctx.reply(ctx.t.admin.noBackup(false, MIN_PASSPHRASE_LENGTH));
    return;
  }
  await ctx.replyWithDocument(new InputFile(made.value.bytes, made.value.fileName), {
    caption: ctx.t.admin.backupCaption(made.value.header, false),
  });
}

/** The passphrase as typed: everything after the word `passphrase`, spaces inside kept. */
function passphraseOf(match: string): string {
  return match.trim().replace(/^passphrase\s+/, "");
}

async function setPassphrase(ctx: BotContext): Promise<void> {
  if (ctx.effects.handledBefore) {
    // A re-delivery: the passphrase was set and answered. Make sure the
    // message left the chat, and say nothing twice.
    await deleteCommandMessage(ctx);
    return;
  }
  const passphrase = passphraseOf(ctx.match as string);
  if (passphraseProblem(passphrase)) {
    const deleted = await deleteCommandMessage(ctx);
    return replyUsage(
      ctx,
      FORMS,
      ctx.t.admin.passphraseRefused(MIN_PASSPHRASE_LENGTH, MAX_PASSPHRASE_LENGTH, deleted),
    );
  }
  try {
    await ctx.effects.propose(async (updateId) => {
      const set = await ctx.deps.backups.setPassphrase(passphrase, senderActor(ctx), updateId);
      // Checked above; the service checks the same rule.
      if (!set.ok) throw new Error(set.error.message);
      return set.value;
    });
  } catch (error) {
    // Whatever happened, the passphrase leaves the chat.
    await deleteCommandMessage(ctx);
    throw error;
  }
  const deleted = await deleteCommandMessage(ctx);
  await ctx.reply(ctx.t.admin.passphraseSet(deleted));
}

export const backupCommands = new Composer<BotContext>();

backupCommands.command("backup", async (ctx) => {
  const match = (ctx.match as string).trim();
  if (match === "") return sendBackup(ctx);
  if (/^passphrase(\s|$)/.test(match)) return setPassphrase(ctx);
  return replyUsage(ctx, FORMS, ctx.t.admin.backupUsage(MIN_PASSPHRASE_LENGTH));
});
