import { createCipheriv, randomBytes } from "node:crypto";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { hchacha20 } from "../../../shared/probe/hchacha20.ts";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

test("HChaCha20 matches the test vector of draft-irtf-cfrg-xchacha, section 2.2.1", () => {
  const key = Uint8Array.from({ length: 32 }, (_, index) => index);
  const nonce = Buffer.from("000000090000004a0000000031415927", "hex");
  assert.is(
    hex(hchacha20(key, nonce)),
    "82413b4227b27bfed30e42508a877d73a0f9e4d58a74a853c12ec41326d3ecdc",
  );
});

/**
 * An independent derivation: a ChaCha20 block is the permuted state plus the
 * input state, and Node's "chacha20" takes words 12-15 of that state as its
 * 16-byte IV; HChaCha20 is words 0-3 and 12-15 of the permuted state.
 */
function hchacha20FromKeystream(key: Buffer, nonce: Buffer): string {
  const block = createCipheriv("chacha20", key, nonce).update(Buffer.alloc(64));
  const sigma = Buffer.from("expand 32-byte k", "latin1");
  const subkey = Buffer.alloc(32);
  for (let word = 0; word < 4; word++) {
    const first = (block.readUInt32LE(word * 4) - sigma.readUInt32LE(word * 4)) >>> 0;
    const last = (block.readUInt32LE(48 + word * 4) - nonce.readUInt32LE(word * 4)) >>> 0;
    subkey.writeUInt32LE(first, word * 4);
    subkey.writeUInt32LE(last, 16 + word * 4);
  }
  return subkey.toString("hex");
}

test("HChaCha20 agrees with the permutation inside Node's ChaCha20 for random inputs", () => {
  for (let round = 0; round < 16; round++) {
    const key = randomBytes(32);
    const nonce = randomBytes(16);
    assert.is(hex(hchacha20(key, nonce)), hchacha20FromKeystream(key, nonce));
  }
});

test("HChaCha20 refuses a key or nonce of the wrong length", () => {
  assert.throws(() => hchacha20(new Uint8Array(31), new Uint8Array(16)), RangeError);
  assert.throws(() => hchacha20(new Uint8Array(32), new Uint8Array(24)), RangeError);
});

test.run();
