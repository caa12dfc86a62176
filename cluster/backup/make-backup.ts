/**
 * Making a backup file of the replicated state as this node has it: the
 * backed-up parts (fsm/backup-content.ts) sealed to the admins' passphrase
 * key (backup-file.ts). Needs no secret: the node holds only the
 * passphrase's public key.
 */
import { err, ok, type Result } from "../../shared/result.ts";
import { BACKUP_CONTENTS } from "../fsm/backup-content.ts";
import type { ControlPlaneState } from "../fsm/control-plane.ts";
import { type BackupHeader, readBackupHeader, sealBackup } from "./backup-file.ts";

/** A made backup: the file, a name for it, and its header. */
export interface BackupFile {
  bytes: Buffer;
  fileName: string;
  header: BackupHeader;
}

/** Who made the backup: the cluster's members and this node. */
export interface BackupOrigin {
  members: readonly string[];
  madeBy: string;
}

export const NO_PASSPHRASE_MESSAGE =
  "no backup passphrase is set, so no backup was made: an admin sets one with /backup passphrase <text> (at least 12 characters; keep it somewhere safe, it is the only way to open the backups)";

/** `nexaloak-backup-20261206-030000Z.nxb`: sorts by time. */
export function backupFileName(createdAtMs: number): string {
  const stamp = new Date(createdAtMs).toISOString().replace(/[-:]/g, "").replace("T", "-");
  return `nexaloak-backup-${stamp.slice(0, 15)}Z.nxb`;
}

export async function makeBackup(
  state: ControlPlaneState,
  origin: BackupOrigin,
  nowMs: number,
): Promise<Result<BackupFile, "NO_BACKUP_PASSPHRASE">> {
  const passphrase = state.backupPassphrase();
  if (!passphrase) return err("NO_BACKUP_PASSPHRASE", NO_PASSPHRASE_MESSAGE);
  const { salt, n, r, p, publicKey } = passphrase;
  const { content, counts } = state.backupContent();
  const bytes = await sealBackup(
    {
      cluster: { members: [...origin.members].sort(), madeBy: origin.madeBy },
      createdAt: new Date(nowMs).toISOString(),
      contents: BACKUP_CONTENTS,
      counts,
    },
    content,
    { salt, n, r, p, publicKey },
  );
  const read = readBackupHeader(bytes);
  // The file was just written by this version: a header it cannot read is a bug.
  if (!read.ok) throw new Error(`a backup just made does not read back: ${read.error.message}`);
  return ok({ bytes, fileName: backupFileName(nowMs), header: read.value.header });
}
