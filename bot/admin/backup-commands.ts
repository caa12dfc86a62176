/**
 * `/backup`: the encrypted backup file of the replicated state, as a
 * document, or why there is none (no passphrase set yet).
 * `/backup passphrase <text>`: sets the passphrase backups are encrypted to.
 * Only its key check reaches the cluster (cluster/backup/backup-service.ts);
 * the message carrying it is deleted from the chat (Telegram lets a bot
 * delete messages in a private chat for 48 hours), and no answer repeats it.
 */
import { Composer, InputFile } from "grammy";
import type { BackupFile } from "../../cluster/backup/make-backup.ts";
import { passphraseProblem } from "../../shared/crypto/backup-passphrase-key.ts";
import { senderActor } from "../account.ts";
import type { BotContext } from "../context.ts";
import { deleteCommandMessage, replyUsage } from "./command-args.ts";

const FORMS = "/backup, or /backup passphrase <text> (at least 12 characters)";

/** What a backup's caption says: enough to tell backups apart, nothing they hide. */
export function backupCaption(backup: BackupFile): string {
  const { counts, createdAt, cluster } = backup.header;
  return [
    `Encrypted backup of ${createdAt} (made by ${cluster.madeBy}): ${counts.users} users, ${counts.liveConfigs} live configs of ${counts.configs}, ${counts.servers} servers, ${counts.settings} settings, ${counts.invites} invites.`,
    "No client keys are in it. It opens only with the backup passphrase: npm run restore -- <file> on a new server.",
  ].join("\n");
}

function passphraseNote(deleted: boolean): string {
  return deleted
    ? "Your message with the passphrase was deleted from this chat."
    : "I could not delete your message with the passphrase: please delete it yourself.";
}

async function sendBackup(ctx: BotContext): Promise<void> {
  await ctx.effects.acknowledge();
  const made = await ctx.deps.backups.make();
  if (!made.ok) {
    await ctx.reply(`No backup: ${made.error.message}.`);
    return;
  }
  await ctx.replyWithDocument(new InputFile(made.value.bytes, made.value.fileName), {
    caption: backupCaption(made.value),
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
  const problem = passphraseProblem(passphrase);
  if (problem) {
    const deleted = await deleteCommandMessage(ctx);
    return replyUsage(ctx, `${FORMS}\n${problem.message}.\n${passphraseNote(deleted)}`);
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
  await ctx.reply(
    [
      "Backup passphrase set: every backup from now on is encrypted to it, and no server holds it (they keep only a check of it).",
      "Keep it somewhere safe, away from the servers: without it no backup can be opened, and nobody can recover it.",
      passphraseNote(deleted),
    ].join("\n"),
  );
}

export const backupCommands = new Composer<BotContext>();

backupCommands.command("backup", async (ctx) => {
  const match = (ctx.match as string).trim();
  if (match === "") return sendBackup(ctx);
  if (/^passphrase(\s|$)/.test(match)) return setPassphrase(ctx);
  return replyUsage(ctx, FORMS);
});
