import { z } from "zod";
import { readJsonBody } from "../../shared/json-body.ts";
import type { BackupService } from "../backup/backup-service.ts";
import { API_ACTOR } from "../fsm/actors.ts";
import { errorResponse, failureResponse } from "./respond.ts";
import type { Router } from "./router.ts";

const passphraseBodySchema = z.strictObject({ passphrase: z.string().max(4096) });

/**
 * `GET /v1/backup`: the encrypted backup file, as the bot's /backup sends it
 * (any node; everything committed before the request is in it), or 409
 * `NO_BACKUP_PASSPHRASE`. `PUT /v1/backup/passphrase` (`{"passphrase"}`)
 * sets the passphrase backups are encrypted to; only its key check is kept.
 */
export function addBackupRoutes(router: Router, backups: BackupService): void {
  router.add("GET", "/v1/backup", async () => {
    try {
      const made = await backups.make();
      if (!made.ok) return errorResponse(409, made.error.code, made.error.message);
      const { bytes, fileName, header } = made.value;
      return {
        status: 200,
        body: bytes,
        headers: {
          "Content-Disposition": `attachment; filename="${fileName}"`,
          "X-Backup-Users": String(header.counts.users),
          "X-Backup-Configs": String(header.counts.configs),
        },
      };
    } catch (error) {
      return failureResponse(error);
    }
  });

  router.add("PUT", "/v1/backup/passphrase", async ({ request }) => {
    const body = await readJsonBody(request, passphraseBodySchema);
    if (!body.ok) return errorResponse(400, body.error.code, body.error.message);
    try {
      const set = await backups.setPassphrase(body.value.passphrase, API_ACTOR);
      if (!set.ok) return errorResponse(400, set.error.code, set.error.message);
      return { status: 200, body: set.value };
    } catch (error) {
      return failureResponse(error);
    }
  });
}
