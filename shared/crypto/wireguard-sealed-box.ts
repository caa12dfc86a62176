/**
 * Sealing a secret so that only one WireGuard server can open it: an
 * anonymous sealed box to the server's X25519 public key (its WireGuard
 * key). A fresh ephemeral key pair per value, X25519 with the server's key,
 * HKDF-SHA256 over both public keys and the record's context, then
 * ChaCha20-Poly1305. Only the holder of the server's private key (the server
 * itself, which also has the secret in its interface) can open it; every
 * other node, a seized one included, carries it without being able to read it.
 *
 * Used for the preshared keys a server's interface needs for as long as its
 * configs live (see cluster/config-key-custody-task.ts).
 */
import { createCipheriv, diffieHellman, hkdfSync } from "node:crypto";
import { err, ok, type Result } from "../result.ts";
import { openWithTag } from "./aead.ts";
import {
  generateKeyPair,
  isWireGuardKey,
  x25519PrivateKey,
  x25519PublicKey,
} from "./wireguard-keys.ts";

/** Why a sealed value could not be opened. */
export type WireGuardSealedBoxErrorCode = "SEALED_BOX_MALFORMED" | "SEALED_BOX_AUTH_FAILED";

const formatVersion = "x1";
const hkdfSalt = Buffer.from("nexaloak/wireguard-sealed-box");
const keyLengthBytes = 32;
const tagLengthBytes = 16;
// Each key seals exactly one value (its ephemeral half is fresh), so a fixed nonce is safe.
const nonce = Buffer.alloc(12);

function sharedKey(
  shared: Buffer,
  ephemeralPublicKey: string,
  recipientPublicKey: string,
  context: string,
): Buffer {
  const info = Buffer.from(
    JSON.stringify([formatVersion, ephemeralPublicKey, recipientPublicKey, context]),
  );
  return Buffer.from(hkdfSync("sha256", shared, hkdfSalt, info, keyLengthBytes));
}

/**
 * Seals `plaintext` to the WireGuard public key `recipientPublicKey` (base64)
 * for `context` (the record it belongs to; opening needs the same context).
 * The result is `x1.<ephemeral public key>.<ciphertext and tag>`, base64url parts.
 */
export function sealToWireGuardKey(
  recipientPublicKey: string,
  context: string,
  plaintext: string,
): string {
  const ephemeral = generateKeyPair();
  const shared = diffieHellman({
    privateKey: x25519PrivateKey(ephemeral.privateKey),
    publicKey: x25519PublicKey(recipientPublicKey),
  });
  const key = sharedKey(shared, ephemeral.publicKey, recipientPublicKey, context);
  const cipher = createCipheriv("chacha20-poly1305", key, nonce, { authTagLength: tagLengthBytes });
  const body = Buffer.concat([
    cipher.update(plaintext, "utf8"),
    cipher.final(),
    cipher.getAuthTag(),
  ]);
  const ephemeralText = Buffer.from(ephemeral.publicKey, "base64").toString("base64url");
  return `${formatVersion}.${ephemeralText}.${body.toString("base64url")}`;
}

/**
 * Opens a value sealed to this server's key pair (`privateKey` and
 * `publicKey`, base64) for `context`. Never throws.
 */
export function openWithWireGuardKey(
  keyPair: { privateKey: string; publicKey: string },
  context: string,
  sealed: string,
): Result<string, WireGuardSealedBoxErrorCode> {
  const parts = sealed.split(".");
  const malformed = err(
    "SEALED_BOX_MALFORMED",
    "a value sealed to a server is x1.<key>.<ciphertext>",
  );
  if (parts.length !== 3 || parts[0] !== formatVersion) return malformed;
  const ephemeralBytes = Buffer.from(parts[1]!, "base64url");
  const body = Buffer.from(parts[2]!, "base64url");
  const ephemeralPublicKey = ephemeralBytes.toString("base64");
  if (
    ephemeralBytes.toString("base64url") !== parts[1] ||
    body.toString("base64url") !== parts[2] ||
    !isWireGuardKey(ephemeralPublicKey) ||
    body.length < tagLengthBytes
  )
    return malformed;
  const shared = diffieHellman({
    privateKey: x25519PrivateKey(keyPair.privateKey),
    publicKey: x25519PublicKey(ephemeralPublicKey),
  });
  const key = sharedKey(shared, ephemeralPublicKey, keyPair.publicKey, context);
  const plaintext = openWithTag("chacha20-poly1305", key, nonce, body);
  if (!plaintext)
    return err(
      "SEALED_BOX_AUTH_FAILED",
      "the value was not sealed to this server's key for this record, or was altered",
    );
  return ok(plaintext.toString("utf8"));
}
