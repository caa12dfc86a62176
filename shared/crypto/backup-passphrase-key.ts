/**
 * The key pair backups are encrypted to, derived from the admins' backup
 * passphrase: scrypt over the passphrase and a random salt gives 32 bytes,
 * which are an X25519 private key. The cluster keeps only the check (salt,
 * scrypt parameters and the public half, which is the verifier: a
 * passphrase is right when it derives that public key), so a node encrypts
 * backups without ever holding the passphrase or the private key, and a
 * seized node cannot open a backup it made.
 */
import { randomBytes, scrypt } from "node:crypto";
import { err, ok, type Result } from "../result.ts";
import { isWireGuardKey, keyPairFromSeed, type WireGuardKeyPair } from "./wireguard-keys.ts";

/** scrypt's cost parameters: N (a power of two), r and p. */
export interface ScryptParameters {
  n: number;
  r: number;
  p: number;
}

/**
 * What the replicated state and every backup's header keep of the
 * passphrase: enough to derive the key again and check it, never the
 * passphrase or the private key.
 */
export interface BackupKeyCheck extends ScryptParameters {
  /** 16 random bytes, base64. */
  salt: string;
  /** The derived X25519 public key, base64: the key backups are encrypted to, and the verifier. */
  publicKey: string;
}

/**
 * OWASP's recommended scrypt cost (N = 2^17, r = 8, p = 1): 128 MiB and
 * about half a second per guess on a server core, which is what an attacker
 * holding a backup pays for each passphrase tried.
 */
export const DEFAULT_SCRYPT: ScryptParameters = { n: 2 ** 17, r: 8, p: 1 };
export const MIN_PASSPHRASE_LENGTH = 12;
export const MAX_PASSPHRASE_LENGTH = 1024;
const SALT_BYTES = 16;
const KEY_BYTES = 32;

/** Why a passphrase or a key check is refused. */
export type BackupKeyErrorCode =
  | "PASSPHRASE_TOO_SHORT"
  | "PASSPHRASE_TOO_LONG"
  | "WRONG_PASSPHRASE"
  | "INVALID_KEY_CHECK";

/** Whether scrypt may run with these parameters here: bounded, so a forged header cannot exhaust memory. */
export function scryptParametersProblem(parameters: ScryptParameters): string | undefined {
  const { n, r, p } = parameters;
  if (!Number.isInteger(n) || n < 2 ** 10 || n > 2 ** 20 || (n & (n - 1)) !== 0)
    return "scrypt N must be a power of two from 2^10 to 2^20";
  if (!Number.isInteger(r) || r < 1 || r > 32) return "scrypt r must be 1-32";
  if (!Number.isInteger(p) || p < 1 || p > 16) return "scrypt p must be 1-16";
  if (128 * n * r > 2 ** 30) return "scrypt N and r together must stay within 1 GiB";
  return undefined;
}

/** What is wrong with a key check read from the state or a file, if anything. */
export function keyCheckProblem(check: BackupKeyCheck): string | undefined {
  const parameters = scryptParametersProblem(check);
  if (parameters) return parameters;
  const salt = Buffer.from(check.salt, "base64");
  if (salt.length < SALT_BYTES || salt.length > 64 || salt.toString("base64") !== check.salt)
    return "the salt must be 16-64 bytes in base64";
  if (!isWireGuardKey(check.publicKey)) return "the public key must be 32 bytes in base64";
  return undefined;
}

/** Whether a passphrase is acceptable: long enough to withstand guessing at scrypt's cost. */
export function passphraseProblem(
  passphrase: string,
): { code: BackupKeyErrorCode; message: string } | undefined {
  if ([...passphrase].length < MIN_PASSPHRASE_LENGTH)
    return {
      code: "PASSPHRASE_TOO_SHORT",
      message: `a backup passphrase has at least ${MIN_PASSPHRASE_LENGTH} characters; several random words are best`,
    };
  if (passphrase.length > MAX_PASSPHRASE_LENGTH)
    return {
      code: "PASSPHRASE_TOO_LONG",
      message: `a backup passphrase has at most ${MAX_PASSPHRASE_LENGTH} characters`,
    };
  return undefined;
}

function derive(passphrase: string, salt: Buffer, parameters: ScryptParameters): Promise<Buffer> {
  const { n, r, p } = parameters;
  // In the thread pool, so a leader deriving a key keeps its heartbeats.
  return new Promise((resolve, reject) =>
    scrypt(
      passphrase.normalize("NFC"),
      salt,
      KEY_BYTES,
      { N: n, r, p, maxmem: 256 * n * r + 2 ** 20 },
      (error, key) => (error ? reject(error) : resolve(key)),
    ),
  );
}

/** A new check for `passphrase`, with a fresh salt. */
export async function makeBackupKeyCheck(
  passphrase: string,
  parameters: ScryptParameters = DEFAULT_SCRYPT,
): Promise<Result<BackupKeyCheck, BackupKeyErrorCode>> {
  const problem = passphraseProblem(passphrase);
  if (problem) return err(problem.code, problem.message);
  const invalid = scryptParametersProblem(parameters);
  if (invalid) return err("INVALID_KEY_CHECK", invalid);
  const salt = randomBytes(SALT_BYTES);
  const { publicKey } = keyPairFromSeed(await derive(passphrase, salt, parameters));
  return ok({ salt: salt.toString("base64"), ...parameters, publicKey });
}

/**
 * The key pair `passphrase` derives under `check`; `WRONG_PASSPHRASE` when it
 * does not derive the check's public key.
 */
export async function unlockBackupKey(
  passphrase: string,
  check: BackupKeyCheck,
): Promise<Result<WireGuardKeyPair, BackupKeyErrorCode>> {
  const problem = keyCheckProblem(check);
  if (problem) return err("INVALID_KEY_CHECK", problem);
  const keyPair = keyPairFromSeed(
    await derive(passphrase, Buffer.from(check.salt, "base64"), check),
  );
  if (keyPair.publicKey !== check.publicKey)
    return err(
      "WRONG_PASSPHRASE",
      "the passphrase does not match the one this backup was made with",
    );
  return ok(keyPair);
}
