/**
 * The scheduled backup (BACKUP_CRON, daily by default): at each slot the
 * leader's bot sends every active admin the encrypted backup file, or, with
 * no passphrase set, tells them why there is none, each in their language. A slot is claimed through
 * Raft before anything is sent (`claimBackupSlot`), so it is sent once
 * however leadership moves; a new leader sends a slot its predecessor missed.
 */
import { type Api, InputFile } from "grammy";
import { CommandRefusedError } from "../../cluster/control-plane-service.ts";
import type { CronSchedule } from "../../shared/cron-schedule.ts";
import { MIN_PASSPHRASE_LENGTH } from "../../shared/crypto/backup-passphrase-key.ts";
import { sleep } from "../../shared/sleep.ts";
import type { BotDependencies } from "../context.ts";
import { messagesFor } from "../i18n/language.ts";

/** The loop looks again at least this often, so a changed clock or a claim elsewhere is seen. */
const MAX_WAIT_MS = 60_000;

/**
 * The slot to send now, if any: the latest slot at or before `nowMs`, when no
 * leader claimed it yet. Before any claim (a new cluster), only a slot that
 * came after `termStartMs`, so a cluster does not send at its first start.
 */
export function dueBackupSlot(
  schedule: CronSchedule,
  nowMs: number,
  lastClaimedSlot: number | null,
  termStartMs: number,
): number | undefined {
  const latest = schedule.latestSlot(nowMs);
  if (lastClaimedSlot === null) return latest >= termStartMs ? latest : undefined;
  return latest > lastClaimedSlot ? latest : undefined;
}

export interface ScheduledBackupsOptions {
  api: Api;
  deps: BotDependencies;
  schedule: CronSchedule;
  signal: AbortSignal;
}

export class ScheduledBackups {
  constructor(private readonly options: ScheduledBackupsOptions) {}

  /** Sends each slot's backup until the session ends. */
  async run(): Promise<void> {
    const { deps, schedule, signal } = this.options;
    const termStartMs = deps.service.now();
    while (!signal.aborted) {
      const now = deps.service.now();
      const slot = dueBackupSlot(
        schedule,
        now,
        deps.service.localState.lastBackupSlot(),
        termStartMs,
      );
      if (slot !== undefined) {
        try {
          await this.send(slot);
        } catch (error) {
          if (!signal.aborted)
            deps.logger.warn(
              { slot, err: (error as Error).message },
              "the scheduled backup failed",
            );
        }
      }
      await sleep(Math.min(schedule.nextSlot(now) - now, MAX_WAIT_MS), signal);
    }
  }

  private async send(slot: number): Promise<void> {
    const { api, deps, signal } = this.options;
    try {
      await deps.service.run({ type: "claimBackupSlot", slot, at: deps.service.now() });
    } catch (error) {
      // Another leader claimed it first: it sends this slot.
      if (error instanceof CommandRefusedError && error.code === "BACKUP_SLOT_TAKEN") return;
      throw error;
    }
    const made = await deps.backups.make();
    const state = deps.service.localState;
    const admins = state.activeAdminIds();
    let delivered = 0;
    for (const adminId of admins) {
      if (signal.aborted) return;
      const t = messagesFor(state.user(adminId)?.language ?? "en").admin;
      try {
        if (made.ok)
          await api.sendDocument(adminId, new InputFile(made.value.bytes, made.value.fileName), {
            caption: t.backupCaption(made.value.header, true),
          });
        else await api.sendMessage(adminId, t.noBackup(true, MIN_PASSPHRASE_LENGTH));
        delivered++;
      } catch (error) {
        // One admin who blocked the bot does not keep the others from their backup.
        if (!signal.aborted)
          deps.logger.warn(
            { adminId, err: (error as Error).message },
            "an admin did not get the scheduled backup",
          );
      }
    }
    deps.logger.info(
      { slot, admins: admins.length, delivered, madeBackup: made.ok },
      "scheduled backup slot handled",
    );
  }
}
