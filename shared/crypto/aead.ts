/**
 * Opening an AEAD ciphertext whose 16-byte tag follows it, as both secret
 * boxes store them. Node throws when the tag does not verify; this answers
 * null instead, so callers turn it into their own typed error.
 */
import { createDecipheriv } from "node:crypto";

const tagLengthBytes = 16;

export function openWithTag(
  algorithm: "aes-256-gcm" | "chacha20-poly1305",
  key: Buffer,
  nonce: Buffer,
  sealed: Buffer,
  associatedData?: Buffer,
): Buffer | null {
  if (sealed.length < tagLengthBytes) return null;
  try {
    const options = { authTagLength: tagLengthBytes };
    const decipher =
      algorithm === "aes-256-gcm"
        ? createDecipheriv(algorithm, key, nonce, options)
        : createDecipheriv(algorithm, key, nonce, options);
    if (associatedData)
      decipher.setAAD(associatedData, { plaintextLength: sealed.length - tagLengthBytes });
    decipher.setAuthTag(sealed.subarray(sealed.length - tagLengthBytes));
    return Buffer.concat([
      decipher.update(sealed.subarray(0, sealed.length - tagLengthBytes)),
      decipher.final(),
    ]);
  } catch {
    return null;
  }
}
