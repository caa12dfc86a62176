/**
 * Encryption of secrets at rest in the replicated state (client private keys,
 * preshared keys, probe tokens): AES-256-GCM under a key derived from
 * CLUSTER_SECRET, so every node can open what any node sealed, and a copy of
 * the Redis log alone reveals nothing.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { err, ok, type Result } from "../result.ts";

/**
 * One HKDF label per kind of secret, so a key leaked or misused for one
 * purpose opens nothing sealed for another. A label never changes once
 * values sealed under it exist; a new scheme gets a new label.
 */
export const secretBoxPurposes = {
  /** Client private keys and preshared keys of issued configs. */
  configKeys: "nexaloak/config-keys/v1",
  /** Tokens that authenticate probe requests to vantage points. */
  probeTokens: "nexaloak/probe-tokens/v1",
} as const;

/** One of the {@link secretBoxPurposes} labels. */
export type SecretBoxPurpose = (typeof secretBoxPurposes)[keyof typeof secretBoxPurposes];

/** Why a sealed value could not be opened. */
export type SecretBoxErrorCode =
  | "SECRET_BOX_MALFORMED"
  | "SECRET_BOX_UNSUPPORTED_VERSION"
  | "SECRET_BOX_AUTH_FAILED";

const formatVersion = "v1";
const hkdfSalt = Buffer.from("nexaloak/secret-box");
const keyLengthBytes = 32;
const ivLengthBytes = 12;
const tagLengthBytes = 16;
const base64url = /^[A-Za-z0-9_-]+$/;

function decodeBase64url(text: string): Buffer | null {
  if (!base64url.test(text)) return null;
  const bytes = Buffer.from(text, "base64url");
  // Buffer's decoder skips junk silently; only the canonical spelling is accepted.
  return bytes.toString("base64url") === text ? bytes : null;
}

/**
 * Seals and opens secrets of one purpose. Sealed values look like
 * `v1.<iv>.<ciphertext and tag>` (base64url parts), fit in JSON and logs
 * without escaping, and carry their format version so the scheme can change
 * without breaking values already in the log.
 */
export class SecretBox {
  private readonly key: Buffer;

  /**
   * @param clusterSecret the cluster's CLUSTER_SECRET; every node must use the same one.
   * @param purpose which kind of secret this box holds, from {@link secretBoxPurposes}.
   */
  constructor(clusterSecret: string, purpose: SecretBoxPurpose) {
    this.key = Buffer.from(
      hkdfSync(
        "sha256",
        Buffer.from(clusterSecret),
        hkdfSalt,
        Buffer.from(purpose),
        keyLengthBytes,
      ),
    );
  }

  /** Encrypts `plaintext` (UTF-8) with a fresh random IV; sealing twice gives different strings. */
  seal(plaintext: string): string {
    const iv = randomBytes(ivLengthBytes);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv, { authTagLength: tagLengthBytes });
    // The version is authenticated too, so a value cannot be relabelled as another format.
    cipher.setAAD(Buffer.from(formatVersion));
    const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    const sealed = Buffer.concat([ciphertext, cipher.getAuthTag()]);
    return `${formatVersion}.${iv.toString("base64url")}.${sealed.toString("base64url")}`;
  }

  /**
   * Decrypts a value made by {@link seal}. A value that was altered, or sealed
   * under another CLUSTER_SECRET or purpose, gives `SECRET_BOX_AUTH_FAILED`;
   * this never throws.
   */
  open(sealed: string): Result<string, SecretBoxErrorCode> {
    const parts = sealed.split(".");
    if (parts.length !== 3) {
      return err("SECRET_BOX_MALFORMED", "a sealed value has three dot-separated parts");
    }
    const [version, ivText, bodyText] = parts as [string, string, string];
    if (version !== formatVersion) {
      return err(
        "SECRET_BOX_UNSUPPORTED_VERSION",
        `sealed values of this format are ${formatVersion}; upgrade this node to read newer ones`,
      );
    }
    const iv = decodeBase64url(ivText);
    const body = decodeBase64url(bodyText);
    if (!iv || iv.length !== ivLengthBytes || !body || body.length < tagLengthBytes) {
      return err("SECRET_BOX_MALFORMED", "a sealed value's IV or ciphertext is not valid");
    }
    const decipher = createDecipheriv("aes-256-gcm", this.key, iv, {
      authTagLength: tagLengthBytes,
    });
    decipher.setAAD(Buffer.from(formatVersion));
    decipher.setAuthTag(body.subarray(body.length - tagLengthBytes));
    try {
      const plaintext = Buffer.concat([
        decipher.update(body.subarray(0, body.length - tagLengthBytes)),
        decipher.final(),
      ]);
      return ok(plaintext.toString("utf8"));
    } catch {
      return err(
        "SECRET_BOX_AUTH_FAILED",
        "the sealed value was altered or sealed under a different CLUSTER_SECRET; it cannot be opened",
      );
    }
  }
}
