/**
 * Encryption of secrets at rest in the replicated state (probe tokens, probe
 * WireGuard keys, a config's keys until they are delivered): AES-256-GCM
 * under the cluster's data keys (DATA_KEYS), which are separate from every
 * transport credential, so rotating one never touches the other.
 *
 * Data keys are versioned: every sealed value names the key that sealed it,
 * a node opens values under any key it holds and seals under the first. That
 * is what lets a key be rotated without losing data: add the new key
 * everywhere, make it first, let the leader re-seal what the old one sealed
 * (cluster/secret-resealing.ts), then drop the old one.
 *
 * The record a value belongs to (its purpose and id) is authenticated with
 * it, so a sealed value copied into another record does not open there.
 */
import { createCipheriv, hkdfSync, randomBytes } from "node:crypto";
import { err, ok, type Result } from "../result.ts";
import { openWithTag } from "./aead.ts";
import type { DataKey } from "./data-keys.ts";

/**
 * One HKDF label per kind of secret, so a key leaked or misused for one
 * purpose opens nothing sealed for another. A label never changes once
 * values sealed under it exist; a new scheme gets a new label.
 */
export const secretBoxPurposes = {
  /** A config's client private key and preshared key, until delivered. */
  configKeys: "nexaloak/config-keys/v2",
  /** Tokens that authenticate probe requests to vantage points. */
  probeTokens: "nexaloak/probe-tokens/v2",
  /** The WireGuard private keys ban checks handshake with (servers' and vantages' probe peers). */
  probeKeys: "nexaloak/probe-keys/v2",
  /** Users' subscription tokens, kept so the bot and the admin API can show the URL again. */
  subscriptionTokens: "nexaloak/subscription-tokens/v2",
} as const;

/** One of the {@link secretBoxPurposes} labels. */
export type SecretBoxPurpose = (typeof secretBoxPurposes)[keyof typeof secretBoxPurposes];

/** Why a sealed value could not be opened. */
export type SecretBoxErrorCode =
  | "SECRET_BOX_MALFORMED"
  | "SECRET_BOX_UNSUPPORTED_VERSION"
  | "SECRET_BOX_UNKNOWN_KEY"
  | "SECRET_BOX_AUTH_FAILED";

const formatVersion = "v2";
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

/** What is authenticated with a value: the format, the key, the purpose and the record. */
function associatedData(keyId: string, purpose: SecretBoxPurpose, recordId: string): Buffer {
  return Buffer.from(JSON.stringify([formatVersion, keyId, purpose, recordId]));
}

/** The id of the data key that sealed `sealed` (no key needed), or undefined when it is not a sealed value. */
export function sealedKeyIdOf(sealed: string): string | undefined {
  const parts = sealed.split(".");
  return parts.length === 4 && parts[0] === formatVersion ? parts[1] : undefined;
}

/**
 * Seals and opens secrets of one purpose under the cluster's data keys.
 * Sealed values look like `v2.<key id>.<iv>.<ciphertext and tag>`
 * (base64url parts) and fit in JSON and logs without escaping.
 */
export class SecretBox {
  private readonly keys = new Map<string, Buffer>();
  private readonly sealingKeyId: string;

  /**
   * @param dataKeys the cluster's data keys, the sealing key first (see data-keys.ts); at least one.
   * @param purpose which kind of secret this box holds, from {@link secretBoxPurposes}.
   */
  constructor(
    dataKeys: readonly DataKey[],
    private readonly purpose: SecretBoxPurpose,
  ) {
    const first = dataKeys[0];
    if (!first) throw new Error("a secret box needs at least one data key");
    this.sealingKeyId = first.id;
    for (const key of dataKeys) {
      this.keys.set(
        key.id,
        Buffer.from(
          hkdfSync(
            "sha256",
            Buffer.from(key.secret),
            hkdfSalt,
            Buffer.from(purpose),
            keyLengthBytes,
          ),
        ),
      );
    }
  }

  /** The id of the key new values are sealed under. */
  get currentKeyId(): string {
    return this.sealingKeyId;
  }

  /**
   * Encrypts `plaintext` (UTF-8) for the record `recordId` with a fresh
   * random IV; sealing twice gives different strings.
   */
  seal(recordId: string, plaintext: string): string {
    const keyId = this.sealingKeyId;
    const iv = randomBytes(ivLengthBytes);
    const cipher = createCipheriv("aes-256-gcm", this.keys.get(keyId)!, iv, {
      authTagLength: tagLengthBytes,
    });
    cipher.setAAD(associatedData(keyId, this.purpose, recordId));
    const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    const sealed = Buffer.concat([ciphertext, cipher.getAuthTag()]);
    return `${formatVersion}.${keyId}.${iv.toString("base64url")}.${sealed.toString("base64url")}`;
  }

  /** The id of the data key that sealed `sealed`, or undefined when it is not a sealed value. */
  keyIdOf(sealed: string): string | undefined {
    return sealedKeyIdOf(sealed);
  }

  /**
   * Decrypts a value made by {@link seal} for the same record. A value that
   * was altered, moved from another record, or sealed for another purpose
   * gives `SECRET_BOX_AUTH_FAILED`; one sealed under a key this node does not
   * hold gives `SECRET_BOX_UNKNOWN_KEY`. This never throws.
   */
  open(recordId: string, sealed: string): Result<string, SecretBoxErrorCode> {
    const parts = sealed.split(".");
    if (parts.length !== 4) {
      return err("SECRET_BOX_MALFORMED", "a sealed value has four dot-separated parts");
    }
    const [version, keyId, ivText, bodyText] = parts as [string, string, string, string];
    if (version !== formatVersion) {
      return err(
        "SECRET_BOX_UNSUPPORTED_VERSION",
        `sealed values of this format are ${formatVersion}; upgrade this node to read others`,
      );
    }
    const key = this.keys.get(keyId);
    if (!key) {
      return err(
        "SECRET_BOX_UNKNOWN_KEY",
        `the value was sealed under data key "${keyId}", which this node does not hold; add it to DATA_KEYS`,
      );
    }
    const iv = decodeBase64url(ivText);
    const body = decodeBase64url(bodyText);
    if (!iv || iv.length !== ivLengthBytes || !body || body.length < tagLengthBytes) {
      return err("SECRET_BOX_MALFORMED", "a sealed value's IV or ciphertext is not valid");
    }
    const plaintext = openWithTag(
      "aes-256-gcm",
      key,
      iv,
      body,
      associatedData(keyId, this.purpose, recordId),
    );
    if (!plaintext)
      return err(
        "SECRET_BOX_AUTH_FAILED",
        "the sealed value was altered, belongs to another record, or was sealed under another secret; it cannot be opened",
      );
    return ok(plaintext.toString("utf8"));
  }
}
