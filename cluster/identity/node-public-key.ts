/**
 * Node public keys as they travel and are pinned: 32 raw Ed25519 bytes in
 * unpadded base64url. Verification keeps a small cache of parsed keys, since
 * a handful of peers verify over and over.
 */
import { createPublicKey, type KeyObject, verify } from "node:crypto";

const PUBLIC_KEY_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** True for the canonical spelling of 32 bytes in unpadded base64url. */
export function isNodePublicKey(text: string): boolean {
  return (
    PUBLIC_KEY_PATTERN.test(text) && Buffer.from(text, "base64url").toString("base64url") === text
  );
}

const parsedKeys = new Map<string, KeyObject | null>();
const MAX_CACHED_KEYS = 1024;

function parse(publicKey: string): KeyObject | null {
  const cached = parsedKeys.get(publicKey);
  if (cached !== undefined) return cached;
  let key: KeyObject | null = null;
  if (isNodePublicKey(publicKey)) {
    try {
      key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: publicKey }, format: "jwk" });
    } catch {
      key = null;
    }
  }
  if (parsedKeys.size >= MAX_CACHED_KEYS) parsedKeys.clear();
  parsedKeys.set(publicKey, key);
  return key;
}

/** Whether `signature` is `publicKey`'s Ed25519 signature of `data`; false for any malformed input. */
export function verifyNodeSignature(publicKey: string, data: Buffer, signature: Buffer): boolean {
  const key = parse(publicKey);
  if (key === null || signature.length !== 64) return false;
  try {
    return verify(null, data, key, signature);
  } catch {
    return false;
  }
}
