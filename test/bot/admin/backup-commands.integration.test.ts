/**
 * `/backup`: admins get the encrypted backup as a document once a passphrase
 * is set, and are told why not before; `/backup passphrase <text>` keeps only
 * the key check, deletes the message that carried the passphrase and never
 * repeats it; everyone else is refused like an unknown command.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { en } from "../../../bot/i18n/en.ts";
import { openBackup } from "../../../cluster/backup/backup-file.ts";
import { decodeSnapshot } from "../../../cluster/fsm/snapshot-codec.ts";
import { arrivedUser, ask, messagesMatching, withBotCluster } from "../support/bot-cluster.ts";

const ADMIN = 6100;
const USER = 6101;
const PASSPHRASE = "seven words nobody will ever guess here";
/** scrypt at full cost takes a second or two on a busy machine. */
const DERIVE_MS = 30_000;
const asAdmin = { adminIds: [String(ADMIN)] };

type ChatUser = Awaited<ReturnType<typeof arrivedUser>>;

function assertPassphraseNeverShown(user: ChatUser): void {
  for (const message of user.inbox())
    assert.not.ok(
      `${message.text ?? ""}${message.caption ?? ""}`.includes(PASSPHRASE),
      `the passphrase is shown in ${message.text}`,
    );
}

test("/backup before a passphrase is set sends no file and says how to set one", async () => {
  await withBotCluster(async (cluster) => {
    await cluster.polling();
    const root = await arrivedUser(cluster, ADMIN, { first_name: "Root" });
    const { answer } = await ask(cluster, root, "/backup", /^No backup:/);
    assert.match(answer.text!, "no backup passphrase is set");
    assert.match(answer.text!, "/backup passphrase <text>");
    assert.is(root.inbox().filter((message) => message.document).length, 0);
  }, asAdmin);
});

test("/backup passphrase keeps only the key check and deletes the message; /backup then sends a file that opens with it", async () => {
  await withBotCluster(async (cluster) => {
    const leader = await cluster.polling();
    const root = await arrivedUser(cluster, ADMIN, { first_name: "Root" });
    await arrivedUser(cluster, USER, { first_name: "Dana" });
    const before = messagesMatching(root, /^Backup passphrase set/).length;
    const sent = root.send(`/backup passphrase ${PASSPHRASE}`);
    await cluster.cluster.waitFor(
      () => messagesMatching(root, /^Backup passphrase set/).length > before,
      DERIVE_MS,
      "the passphrase to be set",
    );
    const answer = messagesMatching(root, /^Backup passphrase set/).at(-1)!;
    assert.match(answer.text!, "Your message with the passphrase was deleted from this chat.");
    assert.not.ok(root.hasMessage(sent.messageId), "the message with the passphrase is gone");
    const stored = leader.state.backupPassphrase();
    assert.ok(stored);
    assert.is(stored!.setBy, String(ADMIN));
    assert.not.ok(leader.state.snapshot().includes(PASSPHRASE), "the passphrase is in no state");

    const documents = () => root.inbox().filter((message) => message.document);
    root.send("/backup");
    await cluster.cluster.waitFor(() => documents().length === 1, DERIVE_MS, "the backup file");
    const [message] = documents();
    assert.match(message!.document!.fileName, /^nexaloak-backup-\d{8}-\d{6}Z\.nxb$/);
    assert.match(message!.caption!, /: 2 users, 0 live configs of 0, 3 servers/);
    const opened = await openBackup(Buffer.from(message!.document!.bytes), PASSPHRASE);
    if (!opened.ok) return assert.unreachable(opened.error.message);
    assert.equal([...decodeSnapshot(opened.value.content).users.keys()].sort(), [
      String(ADMIN),
      String(USER),
    ]);
    assertPassphraseNeverShown(root);
  }, asAdmin);
});

test("a passphrase under 12 characters is refused, its message deleted, and nothing stored", async () => {
  await withBotCluster(async (cluster) => {
    const leader = await cluster.polling();
    const root = await arrivedUser(cluster, ADMIN, { first_name: "Root" });
    const { sent, answer } = await ask(cluster, root, "/backup passphrase too short", /^Usage:/);
    assert.match(answer.text!, "at least 12 characters");
    assert.match(answer.text!, "Your message with the passphrase was deleted");
    assert.not.ok(root.hasMessage(sent.messageId));
    assert.is(leader.state.backupPassphrase(), null);
    await ask(
      cluster,
      root,
      "/backup now please",
      /^Usage: \/backup \| \/backup passphrase <text>\nthe passphrase has at least 12/,
    );
  }, asAdmin);
});

test("for anyone but an admin, /backup is an unknown command and sends nothing", async () => {
  await withBotCluster(async (cluster) => {
    const leader = await cluster.polling();
    await arrivedUser(cluster, ADMIN, { first_name: "Root" });
    const user = await arrivedUser(cluster, USER, { first_name: "Dana" });
    await ask(
      cluster,
      user,
      "/backup",
      new RegExp(`^${en.unknownCommand.replace(/[.?]/g, "\\$&")}$`),
    );
    await ask(cluster, user, `/backup passphrase ${PASSPHRASE}`, /^Sorry, I don't know/);
    assert.is(leader.state.backupPassphrase(), null);
    assert.is(user.inbox().filter((message) => message.document).length, 0);
  }, asAdmin);
});

test.run();
