/**
 * The scheduled backup (BACKUP_CRON) through the Telegram emulator: every
 * active admin gets the file at each slot, once, or is told why there is
 * none while no passphrase is set; users get nothing.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { openBackup } from "../../../cluster/backup/backup-file.ts";
import { CronSchedule } from "../../../shared/cron-schedule.ts";
import { makeBackupKeyCheck } from "../../../shared/crypto/backup-passphrase-key.ts";
import { arrivedUser, messagesMatching, withBotCluster } from "../support/bot-cluster.ts";

const ADMINS = [6201, 6202];
const USER = 6203;
const PASSPHRASE = "scheduled backups open with this";
const everyTwoSeconds = CronSchedule.parse("*/2 * * * * *");
if (!everyTwoSeconds.ok) throw new Error(everyTwoSeconds.error.message);

test("at each slot every admin gets the backup once (first told why there is none); a user gets nothing", async () => {
  await withBotCluster(
    async (cluster) => {
      const leader = await cluster.polling();
      const admins: Awaited<ReturnType<typeof arrivedUser>>[] = [];
      for (const id of ADMINS) admins.push(await arrivedUser(cluster, id));
      const user = await arrivedUser(cluster, USER);
      await cluster.cluster.waitFor(
        () => admins.every((admin) => messagesMatching(admin, /^No scheduled backup:/).length > 0),
        15_000,
        "every admin told there is no backup without a passphrase",
      );
      assert.match(
        messagesMatching(admins[0]!, /^No scheduled backup:/)[0]!.text!,
        "/backup passphrase",
      );

      const check = await makeBackupKeyCheck(PASSPHRASE, { n: 2 ** 10, r: 8, p: 1 });
      if (!check.ok) return assert.unreachable(check.error.message);
      await leader.service.run({
        type: "setBackupPassphrase",
        ...check.value,
        actor: { kind: "api" },
        at: leader.service.now(),
      });
      const documents = (admin: (typeof admins)[number]) =>
        admin.inbox().filter((message) => message.document);
      await cluster.cluster.waitFor(
        () => admins.every((admin) => documents(admin).length >= 2),
        20_000,
        "two scheduled backups for every admin",
      );
      const [first] = documents(admins[1]!);
      assert.match(first!.caption!, /^Scheduled backup\. Encrypted backup of /);
      const opened = await openBackup(Buffer.from(first!.document!.bytes), PASSPHRASE);
      assert.ok(opened.ok, opened.ok ? "" : opened.error.message);
      // One file per claimed slot: as many files as slots, and each slot's file named by its time.
      const names = documents(admins[0]!).map((message) => message.document!.fileName);
      assert.is(new Set(names).size, names.length, `one file per slot: ${names.join(", ")}`);
      const lastSlot = leader.state.lastBackupSlot();
      assert.ok(
        lastSlot !== null && lastSlot % 2000 === 0,
        "slots are claimed in the replicated state",
      );
      assert.is(
        user.inbox().filter((message) => message.document || /backup/i.test(message.text ?? ""))
          .length,
        0,
      );
    },
    { adminIds: ADMINS.map(String), backupSchedule: everyTwoSeconds.value },
  );
});

test.run();
