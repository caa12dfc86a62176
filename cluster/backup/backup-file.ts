/**
 * The backup file: a plaintext header that says what the file holds, then
 * the content, gzipped and sealed to the passphrase's public key.
 *
 *     NEXALOAK-BACKUP\n
 *     {"format":"nexaloak-backup","version":1,"cluster":{...},"createdAt":...,"counts":{...},"kdf":{...},...}\n
 *     <ciphertext><16-byte tag>
 *
 * Sealing: a fresh X25519 key pair per file, its agreement with the
 * passphrase's public key through HKDF-SHA256 (over both public keys) gives
 * a ChaCha20-Poly1305 key used once; the first two lines are the associated
 * data, so a header changed by a byte does not open either. The ephemeral
 * private key is dropped at once: only the passphrase opens the file.
 */
import { createCipheriv, diffieHellman, hkdfSync } from "node:crypto";
import { promisify } from "node:util";
import { gunzipSync, gzip } from "node:zlib";
import { z } from "zod";
import { openWithTag } from "../../shared/crypto/aead.ts";
import {
  type BackupKeyCheck,
  keyCheckProblem,
  unlockBackupKey,
} from "../../shared/crypto/backup-passphrase-key.ts";
import {
  generateKeyPair,
  isWireGuardKey,
  x25519PrivateKey,
  x25519PublicKey,
} from "../../shared/crypto/wireguard-keys.ts";
import { err, ok, type Result } from "../../shared/result.ts";

export const BACKUP_MAGIC = "NEXALOAK-BACKUP";
/** The format `sealBackup` writes; `openBackup` reads this version only. */
export const BACKUP_FORMAT_VERSION = 1;
const MAX_HEADER_BYTES = 64 * 1024;
const TAG_BYTES = 16;
const CIPHER = "x25519-hkdf-sha256-chacha20-poly1305";
const HKDF_SALT = Buffer.from("nexaloak/backup/v1");
// Every file has a key of its own (its ephemeral half is fresh), so a fixed nonce is safe.
const NONCE = Buffer.alloc(12);

/** Why a file could not be read; each message says what to do. */
export type BackupFileErrorCode =
  | "BACKUP_NOT_A_BACKUP"
  | "BACKUP_TRUNCATED"
  | "BACKUP_HEADER_INVALID"
  | "BACKUP_VERSION_UNSUPPORTED"
  | "BACKUP_WRONG_PASSPHRASE"
  | "BACKUP_DAMAGED";

const count = z.int().nonnegative();
const headerSchema = z.strictObject({
  format: z.literal("nexaloak-backup"),
  version: z.literal(BACKUP_FORMAT_VERSION),
  cluster: z.strictObject({
    /** The voters and learners of the cluster that made it. */
    members: z.array(z.string().max(64)).max(1000),
    /** The node (the leader) that made it. */
    madeBy: z.string().max(64),
  }),
  /** ISO 8601, UTC. */
  createdAt: z.iso.datetime(),
  /** What the content holds; client keys, sealed secrets and node identities are never in it. */
  contents: z.array(z.string().max(64)).max(32),
  counts: z.strictObject({
    users: count,
    configs: count,
    liveConfigs: count,
    servers: count,
    invites: count,
    settings: count,
  }),
  kdf: z.strictObject({
    name: z.literal("scrypt"),
    salt: z.string(),
    n: count,
    r: count,
    p: count,
    publicKey: z.string(),
  }),
  encryption: z.strictObject({
    name: z.literal(CIPHER),
    ephemeralPublicKey: z.string().refine(isWireGuardKey, "an X25519 key in base64"),
  }),
  /** Bytes of sealed content after the header line, tag included. */
  sealedBytes: count,
});

export type BackupHeader = z.infer<typeof headerSchema>;
/** What the maker of a backup says about it; the rest of the header is the sealing's. */
export type BackupDescription = Pick<BackupHeader, "cluster" | "createdAt" | "contents" | "counts">;

function contentKey(shared: Buffer, ephemeralPublicKey: string, recipientPublicKey: string) {
  const info = Buffer.from(JSON.stringify([CIPHER, ephemeralPublicKey, recipientPublicKey]));
  return Buffer.from(hkdfSync("sha256", shared, HKDF_SALT, info, 32));
}

/** In the thread pool: a leader compressing tens of MB keeps its heartbeats. */
const gzipInPool = promisify(gzip);

/** Seals `content` (the backup's text) to the passphrase key `recipient`; the whole file. */
export async function sealBackup(
  description: BackupDescription,
  content: string,
  recipient: BackupKeyCheck,
): Promise<Buffer> {
  const problem = keyCheckProblem(recipient);
  if (problem) throw new Error(`the backup key check is invalid: ${problem}`);
  const compressed = await gzipInPool(Buffer.from(content, "utf8"));
  const ephemeral = generateKeyPair();
  const header: BackupHeader = {
    format: "nexaloak-backup",
    version: BACKUP_FORMAT_VERSION,
    ...description,
    kdf: { name: "scrypt", ...recipient },
    encryption: { name: CIPHER, ephemeralPublicKey: ephemeral.publicKey },
    sealedBytes: compressed.length + TAG_BYTES,
  };
  const shared = diffieHellman({
    privateKey: x25519PrivateKey(ephemeral.privateKey),
    publicKey: x25519PublicKey(recipient.publicKey),
  });
  const key = contentKey(shared, ephemeral.publicKey, recipient.publicKey);
  const associated = Buffer.from(`${BACKUP_MAGIC}\n${JSON.stringify(header)}\n`, "utf8");
  const cipher = createCipheriv("chacha20-poly1305", key, NONCE, { authTagLength: TAG_BYTES });
  cipher.setAAD(associated, { plaintextLength: compressed.length });
  return Buffer.concat([
    associated,
    cipher.update(compressed),
    cipher.final(),
    cipher.getAuthTag(),
  ]);
}

/** A file's header, checked, with the sealed part that follows it. */
export interface ReadHeader {
  header: BackupHeader;
  associated: Buffer;
  sealed: Buffer;
}

/** Reads and checks the plaintext header; needs no passphrase. */
export function readBackupHeader(file: Buffer): Result<ReadHeader, BackupFileErrorCode> {
  const magic = Buffer.from(`${BACKUP_MAGIC}\n`, "utf8");
  if (file.length < magic.length || !file.subarray(0, magic.length).equals(magic))
    return err(
      "BACKUP_NOT_A_BACKUP",
      `this is not a NexaLoak backup (it does not start with ${BACKUP_MAGIC}); give the file the bot's /backup or GET /v1/backup made`,
    );
  const headerEnd = file.indexOf(0x0a, magic.length);
  if (headerEnd < 0) {
    return file.length - magic.length > MAX_HEADER_BYTES
      ? err("BACKUP_HEADER_INVALID", "the backup's header is damaged (no end of line)")
      : err("BACKUP_TRUNCATED", "the backup ends inside its header: the file was cut short");
  }
  let json: unknown;
  try {
    json = JSON.parse(file.subarray(magic.length, headerEnd).toString("utf8"));
  } catch {
    return err("BACKUP_HEADER_INVALID", "the backup's header is damaged (not JSON)");
  }
  const version = (json as { version?: unknown } | null)?.version;
  if (version !== BACKUP_FORMAT_VERSION)
    return err(
      "BACKUP_VERSION_UNSUPPORTED",
      `this backup has format version ${String(version)}; this version of NexaLoak reads version ${BACKUP_FORMAT_VERSION} only`,
    );
  const checked = headerSchema.safeParse(json);
  if (!checked.success)
    return err(
      "BACKUP_HEADER_INVALID",
      `the backup's header is damaged: ${z.prettifyError(checked.error)}`,
    );
  const header = checked.data;
  const keyProblem = keyCheckProblem(header.kdf);
  if (keyProblem) return err("BACKUP_HEADER_INVALID", `the backup's header: ${keyProblem}`);
  const sealed = file.subarray(headerEnd + 1);
  if (sealed.length < header.sealedBytes)
    return err(
      "BACKUP_TRUNCATED",
      `the backup was cut short: ${sealed.length} of ${header.sealedBytes} encrypted bytes are there`,
    );
  if (sealed.length > header.sealedBytes)
    return err(
      "BACKUP_DAMAGED",
      `the backup has ${sealed.length - header.sealedBytes} bytes more than its header says`,
    );
  return ok({ header, associated: file.subarray(0, headerEnd + 1), sealed });
}

/** Opens a backup with the passphrase: its header and its content (text). */
export async function openBackup(
  file: Buffer,
  passphrase: string,
): Promise<Result<{ header: BackupHeader; content: string }, BackupFileErrorCode>> {
  const read = readBackupHeader(file);
  if (!read.ok) return read;
  const { header, associated, sealed } = read.value;
  const unlocked = await unlockBackupKey(passphrase, header.kdf);
  if (!unlocked.ok)
    return unlocked.error.code === "WRONG_PASSPHRASE"
      ? err(
          "BACKUP_WRONG_PASSPHRASE",
          "wrong passphrase: it is not the one this backup was made with (the admins' /backup passphrase at the time)",
        )
      : err("BACKUP_HEADER_INVALID", `the backup's header: ${unlocked.error.message}`);
  const shared = diffieHellman({
    privateKey: x25519PrivateKey(unlocked.value.privateKey),
    publicKey: x25519PublicKey(header.encryption.ephemeralPublicKey),
  });
  const key = contentKey(shared, header.encryption.ephemeralPublicKey, header.kdf.publicKey);
  const compressed = openWithTag("chacha20-poly1305", key, NONCE, sealed, associated);
  if (!compressed)
    return err(
      "BACKUP_DAMAGED",
      "the passphrase is right but the backup does not open: the file was altered or damaged",
    );
  try {
    return ok({ header, content: gunzipSync(compressed).toString("utf8") });
  } catch {
    return err("BACKUP_DAMAGED", "the backup's content does not decompress");
  }
}
