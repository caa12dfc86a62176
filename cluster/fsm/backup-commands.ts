/** Applying the backup commands: the passphrase's key check, and the scheduled backup's slots. */
import { keyCheckProblem } from "../../shared/crypto/backup-passphrase-key.ts";
import { applied } from "./apply-result.ts";
import type { CommandOf } from "./commands.ts";
import type { ControlPlaneData } from "./control-plane-data.ts";
import { refuse } from "./errors.ts";

/** Replaces the backup passphrase's check; later backups are encrypted to its public key. */
export function setBackupPassphrase(
  data: ControlPlaneData,
  command: CommandOf<"setBackupPassphrase">,
) {
  const { salt, n, r, p, publicKey } = command;
  const problem = keyCheckProblem({ salt, n, r, p, publicKey });
  if (problem) return refuse("INVALID_BACKUP_KEY", `the backup key check is invalid: ${problem}`);
  const setBy = command.actor.kind === "telegram" ? command.actor.userId : "api";
  data.backupPassphrase = { salt, n, r, p, publicKey, setBy, setAt: command.at };
  return applied({ publicKey, setAt: command.at });
}

/** Claims a slot of the backup schedule; a slot at or before the last claimed one is refused. */
export function claimBackupSlot(data: ControlPlaneData, command: CommandOf<"claimBackupSlot">) {
  if (data.lastBackupSlot !== null && command.slot <= data.lastBackupSlot)
    return refuse(
      "BACKUP_SLOT_TAKEN",
      `the scheduled backup of slot ${command.slot} (or a later one) was claimed already`,
    );
  data.lastBackupSlot = command.slot;
  return applied({ slot: command.slot });
}
