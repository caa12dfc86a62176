/**
 * WireGuard keys as the `wg` tool writes them: raw 32-byte X25519 keys in
 * standard base64 (44 characters ending in `=`). Keys made here are
 * interchangeable with `wg genkey`, `wg pubkey` and `wg genpsk`.
 */
import { createPrivateKey, createPublicKey, type KeyObject, randomBytes } from "node:crypto";
import { err, ok, type Result } from "../result.ts";

/** A client's or server's key pair, both halves base64. */
export interface WireGuardKeyPair {
  privateKey: string;
  publicKey: string;
}

const keyLengthBytes = 32;
const base64Key = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;
/**
 * PKCS#8 DER header of an X25519 private key (RFC 8410); the raw 32-byte key
 * follows it. Node imports raw X25519 private keys only through DER or a JWK
 * that already carries the public half.
 */
const pkcs8X25519Prefix = Buffer.from("302e020100300506032b656e04220420", "hex");

/**
 * Whether `text` is a WireGuard key: base64 of exactly 32 bytes, in the
 * canonical spelling `wg` prints (the last character before `=` leaves no
 * stray bits).
 */
export function isWireGuardKey(text: string): boolean {
  return base64Key.test(text);
}

/**
 * Clamps an X25519 scalar the way `wg genkey` does (RFC 7748, section 5), so
 * the private key we store is byte-for-byte what `wg` would have made.
 */
function clamp(privateKeyBytes: Buffer): Buffer {
  const clamped = Buffer.from(privateKeyBytes);
  clamped[0] = (clamped[0] ?? 0) & 248;
  clamped[31] = ((clamped[31] ?? 0) & 127) | 64;
  return clamped;
}

/** A raw X25519 private key (32 bytes) as a key object for `diffieHellman`. */
function privateKeyObject(privateKeyBytes: Buffer): KeyObject {
  return createPrivateKey({
    key: Buffer.concat([pkcs8X25519Prefix, privateKeyBytes]),
    format: "der",
    type: "pkcs8",
  });
}

/** A base64 WireGuard private key as an X25519 key object. */
export function x25519PrivateKey(privateKeyBase64: string): KeyObject {
  return privateKeyObject(Buffer.from(privateKeyBase64, "base64"));
}

/** A base64 WireGuard public key as an X25519 key object. */
export function x25519PublicKey(publicKeyBase64: string): KeyObject {
  const x = Buffer.from(publicKeyBase64, "base64").toString("base64url");
  return createPublicKey({ key: { kty: "OKP", crv: "X25519", x }, format: "jwk" });
}

function publicKeyBytes(privateKeyBytes: Buffer): Buffer {
  const jwk = createPublicKey(privateKeyObject(privateKeyBytes)).export({ format: "jwk" });
  return Buffer.from(jwk.x ?? "", "base64url");
}

/**
 * A fresh key pair for a client config or a server interface: 32 random
 * bytes, clamped, as `wg genkey` makes them. (Not `generateKeyPairSync`:
 * on Node 20, exporting a key it made can deadlock against the garbage
 * collector freeing its key-generation job, and the node hangs for good.)
 */
export function generateKeyPair(): WireGuardKeyPair {
  return keyPairFromSeed(randomBytes(keyLengthBytes));
}

/**
 * The key pair whose private half is `seed` (32 secret bytes, e.g. from a
 * key-derivation function), clamped as `wg genkey` clamps: the same seed
 * always gives the same pair.
 */
export function keyPairFromSeed(seed: Buffer): WireGuardKeyPair {
  if (seed.length !== keyLengthBytes) throw new Error(`a key seed is ${keyLengthBytes} bytes`);
  const privateKeyBytes = clamp(seed);
  return {
    privateKey: privateKeyBytes.toString("base64"),
    publicKey: publicKeyBytes(privateKeyBytes).toString("base64"),
  };
}

/** The public key of a base64 private key, as `wg pubkey` prints it. */
export function publicKeyFromPrivate(
  privateKeyBase64: string,
): Result<string, "INVALID_WIREGUARD_KEY"> {
  if (!isWireGuardKey(privateKeyBase64)) {
    return err(
      "INVALID_WIREGUARD_KEY",
      "a WireGuard private key must be 32 bytes in base64 (44 characters), as made by `wg genkey`",
    );
  }
  const privateKeyBytes = Buffer.from(privateKeyBase64, "base64");
  return ok(publicKeyBytes(privateKeyBytes).toString("base64"));
}

/** A fresh preshared key (32 random bytes, base64), as `wg genpsk` makes. */
export function generatePresharedKey(): string {
  return randomBytes(keyLengthBytes).toString("base64");
}
