/**
 * The primitives of WireGuard's handshake (whitepaper, section 5.4), with the
 * whitepaper's names: HASH, MAC, HMAC and KDF over BLAKE2s, DH over X25519,
 * AEAD as ChaCha20-Poly1305, and the opening half of XAEAD
 * (XChaCha20-Poly1305). Keys and messages are byte arrays; no I/O here.
 */
import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  type KeyObject,
} from "node:crypto";
import { blake2s } from "@noble/hashes/blake2.js";
import { hmac } from "@noble/hashes/hmac.js";
import { hchacha20 } from "./hchacha20.ts";

/** Every key in the handshake, and every DH result, is 32 bytes. */
export const KEY_BYTES = 32;
/** Poly1305 authentication tag. */
export const TAG_BYTES = 16;
/** MAC outputs (mac1, mac2) and the cookie. */
export const MAC_BYTES = 16;

/**
 * PKCS#8 DER header of an X25519 private key (RFC 8410): the raw key follows.
 * Node imports a raw private key only wrapped this way (or as a JWK that
 * already carries its public half).
 */
const pkcs8X25519Prefix = Buffer.from("302e020100300506032b656e04220420", "hex");

function concat(parts: readonly Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}

/** HASH(input): BLAKE2s-256 of the parts, concatenated. */
export function hash(...parts: Uint8Array[]): Uint8Array {
  return blake2s(concat(parts));
}

/** MAC(key, input): BLAKE2s keyed with `key`, 16 bytes out. */
export function mac(key: Uint8Array, input: Uint8Array): Uint8Array {
  return blake2s(input, { key, dkLen: MAC_BYTES });
}

function hmacBlake2s(key: Uint8Array, input: Uint8Array): Uint8Array {
  return hmac(blake2s, key, input);
}

/**
 * KDF_n(key, input): HKDF over HMAC-BLAKE2s, `count` 32-byte outputs, the
 * first of which is the next chaining key.
 */
export function kdf(key: Uint8Array, input: Uint8Array, count: 1 | 2 | 3): Uint8Array[] {
  const pseudoRandomKey = hmacBlake2s(key, input);
  const outputs: Uint8Array[] = [];
  let previous: Uint8Array = new Uint8Array(0);
  for (let index = 1; index <= count; index++) {
    previous = hmacBlake2s(pseudoRandomKey, concat([previous, Uint8Array.of(index)]));
    outputs.push(previous);
  }
  return outputs;
}

function privateKeyObject(privateKey: Uint8Array): KeyObject {
  return createPrivateKey({
    key: Buffer.concat([pkcs8X25519Prefix, privateKey]),
    format: "der",
    type: "pkcs8",
  });
}

/** DH_PUBKEY(private): the X25519 public key of a 32-byte private key. */
export function publicKeyOf(privateKey: Uint8Array): Uint8Array {
  const jwk = createPublicKey(privateKeyObject(privateKey)).export({ format: "jwk" });
  return Buffer.from(jwk.x ?? "", "base64url");
}

/**
 * DH(private, public): the X25519 shared secret, or null when `publicKey` is
 * a low-order point (the secret would be all zeros, which WireGuard refuses).
 */
export function dh(privateKey: Uint8Array, publicKey: Uint8Array): Uint8Array | null {
  try {
    const peer = createPublicKey({
      key: { kty: "OKP", crv: "X25519", x: Buffer.from(publicKey).toString("base64url") },
      format: "jwk",
    });
    return diffieHellman({ privateKey: privateKeyObject(privateKey), publicKey: peer });
  } catch {
    return null;
  }
}

/** ChaCha20-Poly1305's 96-bit nonce: 32 zero bits, then the counter, little-endian. */
function counterNonce(counter: bigint): Buffer {
  const nonce = Buffer.alloc(12);
  nonce.writeBigUInt64LE(counter, 4);
  return nonce;
}

function seal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array) {
  const cipher = createCipheriv("chacha20-poly1305", key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad, { plaintextLength: plaintext.length });
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

function open(
  key: Uint8Array,
  nonce: Uint8Array,
  sealed: Uint8Array,
  aad: Uint8Array,
): Uint8Array | null {
  if (sealed.length < TAG_BYTES) return null;
  const ciphertext = sealed.subarray(0, sealed.length - TAG_BYTES);
  try {
    const decipher = createDecipheriv("chacha20-poly1305", key, nonce, {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(aad, { plaintextLength: ciphertext.length });
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    return null;
  }
}

/** AEAD(key, counter, plaintext, aad): the ciphertext followed by its 16-byte tag. */
export function aeadSeal(
  key: Uint8Array,
  counter: bigint,
  plaintext: Uint8Array,
  aad: Uint8Array,
): Uint8Array {
  return seal(key, counterNonce(counter), plaintext, aad);
}

/** The plaintext of an {@link aeadSeal} result, or null when it does not authenticate. */
export function aeadOpen(
  key: Uint8Array,
  counter: bigint,
  sealed: Uint8Array,
  aad: Uint8Array,
): Uint8Array | null {
  return open(key, counterNonce(counter), sealed, aad);
}

/** XChaCha20-Poly1305 is ChaCha20-Poly1305 under a subkey derived from the nonce's first 16 bytes. */
function extendedNonceKey(key: Uint8Array, nonce: Uint8Array): [Uint8Array, Uint8Array] {
  const subkey = hchacha20(key, nonce.subarray(0, 16));
  const shortNonce = Buffer.concat([Buffer.alloc(4), nonce.subarray(16, 24)]);
  return [subkey, shortNonce];
}

/**
 * XAEAD-open with a 24-byte nonce: the plaintext of XChaCha20-Poly1305
 * `sealed` (ciphertext then tag), or null when it does not authenticate.
 */
export function xaeadOpen(
  key: Uint8Array,
  nonce: Uint8Array,
  sealed: Uint8Array,
  aad: Uint8Array,
): Uint8Array | null {
  const [subkey, shortNonce] = extendedNonceKey(key, nonce);
  return open(subkey, shortNonce, sealed, aad);
}
