import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  BACKUP_MAGIC,
  type BackupDescription,
  openBackup,
  readBackupHeader,
  sealBackup,
} from "../../../cluster/backup/backup-file.ts";
import {
  type BackupKeyCheck,
  makeBackupKeyCheck,
} from "../../../shared/crypto/backup-passphrase-key.ts";

const PASSPHRASE = "the admins' backup passphrase";
const CONTENT = JSON.stringify({ v: 2, users: [["101", "Ada"]], note: "ä ✓ ".repeat(200) });
const DESCRIPTION: BackupDescription = {
  cluster: { members: ["n1", "n2", "n3"], madeBy: "n1" },
  createdAt: "2026-12-06T03:00:00.000Z",
  contents: ["users", "settings"],
  counts: { users: 1, configs: 0, liveConfigs: 0, servers: 0, invites: 0, settings: 0 },
};

let check: BackupKeyCheck;

test.before(async () => {
  const made = await makeBackupKeyCheck(PASSPHRASE, { n: 2 ** 10, r: 8, p: 1 });
  if (!made.ok) throw new Error(made.error.message);
  check = made.value;
});

function codeOf(result: { ok: boolean; error?: { code: string } }): string {
  return result.ok ? "ok" : result.error!.code;
}

test("a sealed backup opens with the passphrase and gives back the content exactly", async () => {
  const file = await sealBackup(DESCRIPTION, CONTENT, check);
  const opened = await openBackup(file, PASSPHRASE);
  assert.ok(opened.ok);
  if (opened.ok) assert.is(opened.value.content, CONTENT);
});

test("the plaintext header says what the file holds, and no part of the content shows", async () => {
  const file = await sealBackup(DESCRIPTION, CONTENT, check);
  const text = file.toString("latin1");
  assert.ok(text.startsWith(`${BACKUP_MAGIC}\n{`));
  assert.not.match(text, "Ada");
  const read = readBackupHeader(file);
  if (!read.ok) return assert.unreachable(read.error.message);
  const { header } = read.value;
  assert.is(header.format, "nexaloak-backup");
  assert.is(header.version, 1);
  assert.equal(header.cluster, DESCRIPTION.cluster);
  assert.is(header.createdAt, DESCRIPTION.createdAt);
  assert.equal(header.counts, DESCRIPTION.counts);
  assert.equal(header.contents, DESCRIPTION.contents);
  assert.equal(header.kdf, { name: "scrypt", ...check });
  assert.is(header.encryption.name, "x25519-hkdf-sha256-chacha20-poly1305");
  assert.is(header.sealedBytes, read.value.sealed.length);
});

test("two backups of the same content differ: each file has a key of its own", async () => {
  const first = await sealBackup(DESCRIPTION, CONTENT, check);
  const second = await sealBackup(DESCRIPTION, CONTENT, check);
  assert.is.not(first.toString("base64"), second.toString("base64"));
});

test("a wrong passphrase is BACKUP_WRONG_PASSPHRASE", async () => {
  const file = await sealBackup(DESCRIPTION, CONTENT, check);
  assert.is(codeOf(await openBackup(file, "not the backup passphrase")), "BACKUP_WRONG_PASSPHRASE");
});

test("a file cut short anywhere is BACKUP_TRUNCATED (or not a backup at all before the first line ends)", async () => {
  const file = await sealBackup(DESCRIPTION, CONTENT, check);
  const headerEnd = file.indexOf(0x0a, BACKUP_MAGIC.length + 1);
  for (const length of [BACKUP_MAGIC.length + 1, headerEnd - 1, headerEnd + 1, file.length - 1]) {
    assert.is(
      codeOf(await openBackup(file.subarray(0, length), PASSPHRASE)),
      "BACKUP_TRUNCATED",
      `${length}`,
    );
  }
  assert.is(codeOf(await openBackup(file.subarray(0, 5), PASSPHRASE)), "BACKUP_NOT_A_BACKUP");
  assert.is(codeOf(await openBackup(Buffer.alloc(0), PASSPHRASE)), "BACKUP_NOT_A_BACKUP");
});

test("a changed byte in the sealed part, or extra bytes, is BACKUP_DAMAGED", async () => {
  const file = await sealBackup(DESCRIPTION, CONTENT, check);
  for (const position of [file.length - 1, file.length - 20, file.indexOf(0x0a, 20) + 1]) {
    const damaged = Buffer.from(file);
    damaged[position] = (damaged[position] ?? 0) ^ 0x01;
    assert.is(codeOf(await openBackup(damaged, PASSPHRASE)), "BACKUP_DAMAGED", `${position}`);
  }
  const longer = Buffer.concat([file, Buffer.from("x")]);
  assert.is(codeOf(await openBackup(longer, PASSPHRASE)), "BACKUP_DAMAGED");
});

test("a header changed to say something else (the counts, the time) no longer opens", async () => {
  const file = await sealBackup(DESCRIPTION, CONTENT, check);
  const text = file.toString("latin1").replace('"users":1', '"users":9');
  assert.is(codeOf(await openBackup(Buffer.from(text, "latin1"), PASSPHRASE)), "BACKUP_DAMAGED");
});

test("a header that is not JSON or lacks fields is BACKUP_HEADER_INVALID", async () => {
  const bad = (header: string) => Buffer.from(`${BACKUP_MAGIC}\n${header}\nrest`);
  assert.is(codeOf(readBackupHeader(bad("{not json"))), "BACKUP_HEADER_INVALID");
  assert.is(codeOf(readBackupHeader(bad('{"version":1}'))), "BACKUP_HEADER_INVALID");
  const file = await sealBackup(DESCRIPTION, CONTENT, check);
  const noSalt = file.toString("latin1").replace(`"salt":"${check.salt}"`, '"salt":"AAAA"');
  assert.is(codeOf(readBackupHeader(Buffer.from(noSalt, "latin1"))), "BACKUP_HEADER_INVALID");
});

test("another format version is BACKUP_VERSION_UNSUPPORTED, named in the message", async () => {
  const file = await sealBackup(DESCRIPTION, CONTENT, check);
  const v2 = Buffer.from(file.toString("latin1").replace('"version":1', '"version":2'), "latin1");
  const read = readBackupHeader(v2);
  assert.is(codeOf(read), "BACKUP_VERSION_UNSUPPORTED");
  if (!read.ok) assert.match(read.error.message, "version 2");
});

test("anything else is BACKUP_NOT_A_BACKUP", async () => {
  for (const text of ["[Interface]\nPrivateKey = x\n", "{}", "NEXALOAK-SNAPSHOT\n{}"])
    assert.is(codeOf(await openBackup(Buffer.from(text), PASSPHRASE)), "BACKUP_NOT_A_BACKUP");
});

test.run();
