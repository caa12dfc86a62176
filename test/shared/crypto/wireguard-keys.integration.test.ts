import { execFileSync, spawnSync } from "node:child_process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  generateKeyPair,
  generatePresharedKey,
  isWireGuardKey,
  publicKeyFromPrivate,
} from "../../../shared/crypto/wireguard-keys.ts";

/** RFC 7748, section 6.1: Alice's X25519 key pair. */
const rfc7748Alice = {
  privateKey: Buffer.from(
    "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
    "hex",
  ).toString("base64"),
  publicKey: Buffer.from(
    "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
    "hex",
  ).toString("base64"),
};

test("the public key of the RFC 7748 test vector matches the RFC", () => {
  assert.equal(publicKeyFromPrivate(rfc7748Alice.privateKey), {
    ok: true,
    value: rfc7748Alice.publicKey,
  });
});

test("a generated pair is two 32-byte base64 keys, the public one derived from the private", () => {
  const pair = generateKeyPair();
  assert.ok(isWireGuardKey(pair.privateKey));
  assert.ok(isWireGuardKey(pair.publicKey));
  assert.is(Buffer.from(pair.privateKey, "base64").length, 32);
  assert.equal(publicKeyFromPrivate(pair.privateKey), { ok: true, value: pair.publicKey });
});

test("generated private keys are clamped like wg genkey's", () => {
  for (let round = 0; round < 20; round++) {
    const bytes = Buffer.from(generateKeyPair().privateKey, "base64");
    assert.is(bytes[0]! & 7, 0, "low three bits clear");
    assert.is(bytes[31]! & 128, 0, "top bit clear");
    assert.is(bytes[31]! & 64, 64, "second bit set");
  }
});

test("every call makes a different key pair and preshared key", () => {
  const privateKeys = new Set(Array.from({ length: 10 }, () => generateKeyPair().privateKey));
  const presharedKeys = new Set(Array.from({ length: 10 }, () => generatePresharedKey()));
  assert.is(privateKeys.size, 10);
  assert.is(presharedKeys.size, 10);
  for (const key of presharedKeys) assert.ok(isWireGuardKey(key), key);
});

test("a private key that is not 32 bytes of base64 is refused with a code", () => {
  const valid = generateKeyPair().privateKey;
  for (const bad of ["", "abc", `${valid}\n`, valid.slice(0, 43), `${valid.slice(0, 42)}B=`]) {
    const result = publicKeyFromPrivate(bad);
    assert.ok(!result.ok, JSON.stringify(bad));
    assert.is(result.error.code, "INVALID_WIREGUARD_KEY");
  }
});

test("isWireGuardKey accepts only the canonical 44-character spelling", () => {
  const key = Buffer.alloc(32, 7).toString("base64");
  assert.ok(isWireGuardKey(key));
  assert.not.ok(isWireGuardKey(key.replace("=", "")), "missing padding");
  assert.not.ok(isWireGuardKey(Buffer.alloc(31).toString("base64")), "31 bytes");
  assert.not.ok(isWireGuardKey(Buffer.alloc(33).toString("base64")), "33 bytes");
  assert.not.ok(isWireGuardKey(`${key.slice(0, 42)}B=`), "stray bits in the last character");
  assert.not.ok(isWireGuardKey(Buffer.alloc(32, 0xff).toString("base64url")), "base64url");
});

/** `wg` when installed (CI installs it), else null and the cross-checks only say so. */
const wg = spawnSync("wg", ["--version"], { timeout: 5_000 }).error ? null : "wg";

test("wg pubkey derives the same public key from our private key", () => {
  if (!wg) {
    console.log("  (wg is not installed; checked against RFC 7748 vectors only)");
    return;
  }
  for (let round = 0; round < 5; round++) {
    const pair = generateKeyPair();
    const fromWg = execFileSync(wg, ["pubkey"], { input: `${pair.privateKey}\n`, timeout: 5_000 });
    assert.is(fromWg.toString().trim(), pair.publicKey);
  }
});

test("our public key of a wg genkey private key is what wg pubkey prints", () => {
  if (!wg) return;
  const privateKey = execFileSync(wg, ["genkey"], { timeout: 5_000 }).toString().trim();
  const fromWg = execFileSync(wg, ["pubkey"], { input: `${privateKey}\n`, timeout: 5_000 });
  assert.equal(publicKeyFromPrivate(privateKey), { ok: true, value: fromWg.toString().trim() });
});

test.run();
