import { createCipheriv, randomBytes } from "node:crypto";
import { blake2s } from "@noble/hashes/blake2.js";
import { hmac } from "@noble/hashes/hmac.js";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { publicKeyFromPrivate } from "../../../shared/crypto/wireguard-keys.ts";
import { hchacha20 } from "../../../shared/probe/hchacha20.ts";
import {
  aeadOpen,
  aeadSeal,
  dh,
  hash,
  kdf,
  mac,
  publicKeyOf,
  xaeadOpen,
} from "../../../shared/probe/wireguard-crypto.ts";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const fromHex = (text: string) => Buffer.from(text, "hex");

test("X25519 matches RFC 7748, section 6.1", () => {
  const alicePrivate = fromHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
  const bobPrivate = fromHex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
  const alicePublic = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
  const bobPublic = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
  const shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
  assert.is(hex(publicKeyOf(alicePrivate)), alicePublic);
  assert.is(hex(publicKeyOf(bobPrivate)), bobPublic);
  assert.is(hex(dh(alicePrivate, fromHex(bobPublic))!), shared);
  assert.is(hex(dh(bobPrivate, fromHex(alicePublic))!), shared);
});

test("a public key is the one `wg pubkey` gives for the same private key", () => {
  const privateKey = randomBytes(32);
  const expected = publicKeyFromPrivate(privateKey.toString("base64"));
  assert.ok(expected.ok);
  assert.is(Buffer.from(publicKeyOf(privateKey)).toString("base64"), expected.value);
});

test("DH with a low-order point is refused instead of giving an all-zero secret", () => {
  const privateKey = randomBytes(32);
  assert.is(dh(privateKey, new Uint8Array(32)), null);
  assert.is(dh(privateKey, Uint8Array.of(1, ...new Uint8Array(31))), null);
});

test("HASH concatenates its parts and MAC is BLAKE2s keyed, cut to 16 bytes", () => {
  const first = randomBytes(10);
  const second = randomBytes(33);
  assert.is(hex(hash(first, second)), hex(blake2s(Buffer.concat([first, second]))));
  const key = randomBytes(32);
  const tag = mac(key, first);
  assert.is(tag.length, 16);
  assert.is(hex(tag), hex(blake2s(first, { key, dkLen: 16 })));
});

test("KDF chains HMAC-BLAKE2s as the whitepaper defines it, each output a prefix of the longer", () => {
  const key = randomBytes(32);
  const input = randomBytes(32);
  const hmacBlake2s = (hmacKey: Uint8Array, message: Uint8Array) => hmac(blake2s, hmacKey, message);
  const extracted = hmacBlake2s(key, input);
  const first = hmacBlake2s(extracted, Uint8Array.of(1));
  const second = hmacBlake2s(extracted, Buffer.concat([first, Uint8Array.of(2)]));
  const third = hmacBlake2s(extracted, Buffer.concat([second, Uint8Array.of(3)]));
  assert.equal(kdf(key, input, 3).map(hex), [first, second, third].map(hex));
  assert.equal(kdf(key, input, 2).map(hex), [first, second].map(hex));
  assert.equal(kdf(key, input, 1).map(hex), [first].map(hex));
});

test("AEAD uses a nonce of four zero bytes and the little-endian counter", () => {
  const key = randomBytes(32);
  const aad = randomBytes(32);
  const plaintext = randomBytes(32);
  const nonce = fromHex("00000000" + "0201000000000000");
  const cipher = createCipheriv("chacha20-poly1305", key, nonce, { authTagLength: 16 });
  cipher.setAAD(aad, { plaintextLength: plaintext.length });
  const expected = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  assert.is(hex(aeadSeal(key, 0x102n, plaintext, aad)), hex(expected));
});

test("AEAD opens what it sealed, and nothing with another key, counter, tag or aad", () => {
  const key = randomBytes(32);
  const aad = randomBytes(32);
  const sealed = aeadSeal(key, 0n, Buffer.from("timestamp!!!"), aad);
  assert.is(sealed.length, 12 + 16);
  assert.is(Buffer.from(aeadOpen(key, 0n, sealed, aad)!).toString(), "timestamp!!!");
  assert.is(aeadOpen(randomBytes(32), 0n, sealed, aad), null);
  assert.is(aeadOpen(key, 1n, sealed, aad), null);
  assert.is(aeadOpen(key, 0n, sealed, randomBytes(32)), null);
  const tampered = Buffer.from(sealed);
  tampered[27] = (tampered[27] ?? 0) ^ 1;
  assert.is(aeadOpen(key, 0n, tampered, aad), null);
  assert.is(aeadOpen(key, 0n, sealed.subarray(0, 15), aad), null, "shorter than a tag");
  assert.equal(aeadOpen(key, 0n, aeadSeal(key, 0n, new Uint8Array(0), aad), aad)?.length, 0);
});

test("XAEAD opens XChaCha20-Poly1305: ChaCha20-Poly1305 under the HChaCha20 subkey", () => {
  const key = randomBytes(32);
  const nonce = randomBytes(24);
  const aad = randomBytes(16);
  const cookie = randomBytes(16);
  const cipher = createCipheriv(
    "chacha20-poly1305",
    hchacha20(key, nonce.subarray(0, 16)),
    Buffer.concat([Buffer.alloc(4), nonce.subarray(16)]),
    { authTagLength: 16 },
  );
  cipher.setAAD(aad, { plaintextLength: cookie.length });
  const sealed = Buffer.concat([cipher.update(cookie), cipher.final(), cipher.getAuthTag()]);
  assert.is(hex(xaeadOpen(key, nonce, sealed, aad)!), hex(cookie));
  assert.is(xaeadOpen(key, randomBytes(24), sealed, aad), null);
  assert.is(xaeadOpen(key, nonce, sealed, randomBytes(16)), null);
});

test.run();
