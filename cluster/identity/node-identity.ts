/**
 * A node's own identity: an Ed25519 key pair generated on its first start and
 * kept only in its DATA_DIR (file mode 0600). The public key is what the
 * cluster pins for the node (see peer-key-book.ts); the private key never
 * leaves the file and this object: not in the environment, the replicated
 * state, Redis or a log line. A copy of a node's `.env` is therefore not the
 * node; only a copy of its DATA_DIR is, which is why the README tells
 * operators to keep DATA_DIR off shared storage and out of backups.
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
} from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { err, ok, type Result } from "../../shared/result.ts";

/** Where under DATA_DIR the private key lives. */
export const IDENTITY_KEY_FILE = join("identity", "node-ed25519.pem");

export type NodeIdentityErrorCode = "IDENTITY_UNREADABLE" | "IDENTITY_INSECURE";

/** Signs for this node. `publicKey` is 32 raw bytes in unpadded base64url (43 characters). */
export interface NodeIdentity {
  readonly publicKey: string;
  sign(data: Buffer): Buffer;
}

class Ed25519Identity implements NodeIdentity {
  readonly publicKey: string;

  constructor(private readonly privateKey: KeyObject) {
    const jwk = createPublicKey(privateKey).export({ format: "jwk" });
    this.publicKey = String(jwk.x);
  }

  sign(data: Buffer): Buffer {
    return sign(null, data, this.privateKey);
  }

  /** Never print the key pair, whatever logs or inspects this object. */
  toJSON(): { publicKey: string } {
    return { publicKey: this.publicKey };
  }
}

/** A fresh identity that lives only in memory (tests, the simulator). */
export function generateNodeIdentity(): NodeIdentity {
  return new Ed25519Identity(generateKeyPairSync("ed25519").privateKey);
}

/**
 * Loads the identity from `dataDir`, creating it on the first start. Refuses
 * a key file that others may read (like ssh does) or that is not an Ed25519
 * private key, saying what to do; never replaces an existing file, since a
 * new key means the cluster must re-admit the node.
 */
export function loadOrCreateNodeIdentity(
  dataDir: string,
): Result<{ identity: NodeIdentity; created: boolean; file: string }, NodeIdentityErrorCode> {
  const file = join(dataDir, IDENTITY_KEY_FILE);
  let pem: string | undefined;
  try {
    const mode = statSync(file).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      return err(
        "IDENTITY_INSECURE",
        `${file} can be read by other users (mode ${mode.toString(8)}); run chmod 600 ${file}`,
      );
    }
    pem = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
      return err("IDENTITY_UNREADABLE", `cannot read ${file}: ${(error as Error).message}`);
    }
  }
  if (pem === undefined) return createIdentityFile(file);
  try {
    const privateKey = createPrivateKey(pem);
    if (privateKey.asymmetricKeyType !== "ed25519") {
      return err("IDENTITY_UNREADABLE", `${file} is not an Ed25519 private key`);
    }
    return ok({ identity: new Ed25519Identity(privateKey), created: false, file });
  } catch (error) {
    return err(
      "IDENTITY_UNREADABLE",
      `${file} is not a PEM private key: ${(error as Error).message}`,
    );
  }
}

function createIdentityFile(
  file: string,
): Result<{ identity: NodeIdentity; created: boolean; file: string }, NodeIdentityErrorCode> {
  const { privateKey } = generateKeyPairSync("ed25519");
  const pem = privateKey.export({ format: "pem", type: "pkcs8" }).toString();
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    // "wx": two processes sharing a DATA_DIR by mistake must not both create a key.
    writeFileSync(file, pem, { mode: 0o600, flag: "wx" });
    chmodSync(file, 0o600);
  } catch (error) {
    return err("IDENTITY_UNREADABLE", `cannot create ${file}: ${(error as Error).message}`);
  }
  return ok({ identity: new Ed25519Identity(privateKey), created: true, file });
}
