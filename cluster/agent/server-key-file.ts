/**
 * This server's WireGuard private key on disk: made once on first start and
 * kept, because every config issued for this server names its public key.
 */
import { randomBytes } from "node:crypto";
import { link, mkdir, readFile, stat, unlink, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import {
  generateKeyPair,
  isWireGuardKey,
  publicKeyFromPrivate,
  type WireGuardKeyPair,
} from "../../shared/crypto/wireguard-keys.ts";
import type { VpnDriverResult } from "./vpn-driver.ts";

/** Permission bits that let anyone but the owner read or change the file. */
const groupOrOtherBits = 0o077;

function unusable(path: string, why: string): VpnDriverResult<never> {
  return {
    ok: false,
    error: { code: "SERVER_KEY_UNUSABLE", message: `server key file ${path}: ${why}` },
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Writes a new key only if none exists, atomically: the key goes to a
 * private temporary file that is then hard-linked into place, so a crash or a
 * second process starting at the same moment never leaves a half-written key
 * or replaces one that configs already depend on.
 */
async function createIfMissing(path: string): Promise<VpnDriverResult<void>> {
  const temporaryPath = `${path}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await writeFile(temporaryPath, `${generateKeyPair().privateKey}\n`, {
      mode: 0o600,
      flag: "wx",
      flush: true,
    });
    await link(temporaryPath, path).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "EEXIST") throw error;
    });
    return { ok: true, value: undefined };
  } catch (error) {
    return unusable(path, `cannot create it: ${describe(error)}`);
  } finally {
    await unlink(temporaryPath).catch(() => {});
  }
}

/**
 * Loads the key pair stored at `path`, creating it (mode 0600, directory
 * 0700) if the file does not exist. The file holds the base64 private key
 * and a newline, like `wg genkey > file`, so `wg` can read it too. A file
 * that others can read is refused: the key may have leaked.
 */
export async function loadOrCreateServerKey(
  path: string,
): Promise<VpnDriverResult<WireGuardKeyPair>> {
  const exists = await stat(path).then(
    () => true,
    (error: NodeJS.ErrnoException) => (error.code === "ENOENT" ? false : error),
  );
  if (exists instanceof Error) return unusable(path, `cannot read it: ${describe(exists)}`);
  if (!exists) {
    const created = await createIfMissing(path);
    if (!created.ok) return created;
  }
  let text: string;
  let mode: number;
  try {
    mode = (await stat(path)).mode;
    text = await readFile(path, "utf8");
  } catch (error) {
    return unusable(path, `cannot read it: ${describe(error)}`);
  }
  if ((mode & groupOrOtherBits) !== 0) {
    return {
      ok: false,
      error: {
        code: "SERVER_KEY_INSECURE",
        message: `server key file ${path} can be read by other users (mode ${(mode & 0o777).toString(8)}); if it may have leaked, delete it to make a new key (configs on this server then need reissuing), else run: chmod 600 ${path}`,
      },
    };
  }
  const privateKey = text.trim();
  if (!isWireGuardKey(privateKey)) {
    return unusable(path, "it does not hold a WireGuard private key (44 base64 characters)");
  }
  const publicKey = publicKeyFromPrivate(privateKey);
  if (!publicKey.ok) return unusable(path, publicKey.error.message);
  return { ok: true, value: { privateKey, publicKey: publicKey.value } };
}
