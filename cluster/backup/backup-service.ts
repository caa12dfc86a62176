/**
 * Backups as the admin API and the bot ask for them: making the file from
 * the state after a linearizable read, and setting the passphrase, whose key
 * check is derived here, on the proposing node (scrypt in the thread pool),
 * so only the check travels through Raft.
 */
import {
  type BackupKeyErrorCode,
  makeBackupKeyCheck,
  type ScryptParameters,
} from "../../shared/crypto/backup-passphrase-key.ts";
import { err, ok, type Result } from "../../shared/result.ts";
import type { ControlPlaneService } from "../control-plane-service.ts";
import type { AdminActor } from "../fsm/commands.ts";
import { type BackupFile, makeBackup } from "./make-backup.ts";

export interface BackupServiceOptions {
  service: ControlPlaneService;
  node: { readonly id: string; memberUrls(): ReadonlyMap<string, string> };
  /** scrypt's cost for new passphrases; default backup-passphrase-key.ts's DEFAULT_SCRYPT. */
  scrypt?: ScryptParameters;
}

export class BackupService {
  constructor(private readonly options: BackupServiceOptions) {}

  /** A backup of everything committed before the call; NO_BACKUP_PASSPHRASE until one is set. */
  async make(): Promise<Result<BackupFile, "NO_BACKUP_PASSPHRASE">> {
    const { service, node } = this.options;
    const state = await service.read();
    return makeBackup(
      state,
      { members: [...node.memberUrls().keys()], madeBy: node.id },
      service.now(),
    );
  }

  /**
   * Derives the key check of `passphrase` and commits it: later backups are
   * encrypted to it. A passphrase that is too short or too long is refused
   * before anything is proposed. Throws CommandRefusedError when apply refuses.
   */
  async setPassphrase(
    passphrase: string,
    actor: AdminActor,
    updateId?: number,
  ): Promise<Result<{ publicKey: string; setAt: number }, BackupKeyErrorCode>> {
    const { service } = this.options;
    const check = await makeBackupKeyCheck(passphrase, this.options.scrypt);
    if (!check.ok) return err(check.error.code, check.error.message);
    const answer = await service.run({
      type: "setBackupPassphrase",
      ...check.value,
      actor,
      at: service.now(),
      ...(updateId !== undefined ? { updateId } : {}),
    });
    if (answer.value === undefined)
      return err("INVALID_KEY_CHECK", "this update was handled before as another request");
    return ok(answer.value);
  }
}
