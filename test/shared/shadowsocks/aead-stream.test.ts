import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { AEAD_METHODS, MAX_CHUNK_PAYLOAD } from "../../../shared/shadowsocks/aead-methods.ts";
import { AeadStreamOpener, AeadStreamSealer } from "../../../shared/shadowsocks/aead-stream.ts";
import { masterKeyOf, subkeyOf } from "../../../shared/shadowsocks/shadowsocks-keys.ts";
import { SHADOWSOCKS_METHODS, type ShadowsocksMethod } from "../../../shared/shadowsocks-method.ts";

const keyOf = (method: ShadowsocksMethod, password = "probe password") =>
  masterKeyOf(password, AEAD_METHODS[method].keyBytes);

/** Opens a whole stream, cut at `cuts`; the payloads joined, or the refusal's code. */
function openInPieces(
  method: ShadowsocksMethod,
  stream: Buffer,
  cuts: number[],
  password?: string,
): Buffer | string {
  const opener = new AeadStreamOpener(method, keyOf(method, password));
  const points = [...new Set(cuts.map((cut) => cut % (stream.length + 1)))].sort((a, b) => a - b);
  const payloads: Buffer[] = [];
  let from = 0;
  for (const to of [...points, stream.length]) {
    const opened = opener.push(stream.subarray(from, to));
    if (!opened.ok) return opened.error.code;
    payloads.push(...opened.value);
    from = to;
  }
  return Buffer.concat(payloads);
}

test("what the sealer writes the opener reads back, for every method, however the bytes are cut", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...SHADOWSOCKS_METHODS),
      fc.array(fc.uint8Array({ maxLength: 20_000 }), { minLength: 1, maxLength: 3 }),
      fc.array(fc.nat(), { maxLength: 12 }),
      (method, writes, cuts) => {
        const sealer = new AeadStreamSealer(method, keyOf(method));
        const stream = Buffer.concat(writes.map((write) => sealer.seal(write)));
        assert.equal(openInPieces(method, stream, cuts), Buffer.concat(writes));
      },
    ),
    { numRuns: 60 },
  );
});

test("a stream is the salt, then per chunk a sealed length (2 + 16 bytes) and the sealed payload (n + 16), at most 0x3FFF each", () => {
  const method = "aes-128-gcm";
  const salt = randomBytes(16);
  const stream = new AeadStreamSealer(method, keyOf(method), salt).seal(
    Buffer.alloc(MAX_CHUNK_PAYLOAD + 10),
  );
  assert.equal(stream.subarray(0, 16), salt);
  assert.is(stream.length, 16 + (18 + MAX_CHUNK_PAYLOAD + 16) + (18 + 10 + 16));
});

test("the nonce is a little-endian counter from zero, one step per seal, carried into the next byte after 255", () => {
  const method = "chacha20-ietf-poly1305";
  const master = keyOf(method);
  const salt = randomBytes(32);
  const sealer = new AeadStreamSealer(method, master, salt);
  // One chunk of 129 bytes takes nonces 0 and 1.
  const stream = sealer.seal(Buffer.alloc(129));
  const manyChunks = Buffer.concat(
    Array.from({ length: 128 }, () => sealer.seal(Buffer.from([1]))),
  );
  const subkey = subkeyOf(master, salt);
  const open = (sealed: Buffer, nonce: Buffer) => {
    const decipher = createDecipheriv("chacha20-poly1305", subkey, nonce, { authTagLength: 16 });
    decipher.setAuthTag(sealed.subarray(sealed.length - 16));
    return Buffer.concat([
      decipher.update(sealed.subarray(0, sealed.length - 16)),
      decipher.final(),
    ]);
  };
  const nonce = (value: number) => {
    const bytes = Buffer.alloc(12);
    bytes.writeUIntLE(value, 0, 6);
    return bytes;
  };
  assert.is(open(stream.subarray(32, 50), nonce(0)).readUInt16BE(0), 129);
  assert.equal(open(stream.subarray(50), nonce(1)), Buffer.alloc(129));
  // Chunk k of the later seals (k from 0) uses nonces 2 + 2k and 3 + 2k; k = 127 takes 256 and 257.
  const last = manyChunks.subarray(127 * 35);
  assert.is(open(last.subarray(0, 18), nonce(256)).readUInt16BE(0), 1);
  assert.equal(open(last.subarray(18), nonce(257)), Buffer.from([1]));
});

test("a changed byte anywhere after the salt, or another password, is refused as SHADOWSOCKS_BAD_TAG, and stays refused", () => {
  const method = "aes-256-gcm";
  const stream = new AeadStreamSealer(method, keyOf(method)).seal(
    Buffer.from("HTTP/1.1 200 OK\r\n"),
  );
  for (let position = 32; position < stream.length; position++) {
    const changed = Buffer.from(stream);
    changed[position]! ^= 0x01;
    assert.is(openInPieces(method, changed, []), "SHADOWSOCKS_BAD_TAG", `byte ${position}`);
  }
  assert.is(openInPieces(method, stream, [], "another password"), "SHADOWSOCKS_BAD_TAG");
  const opener = new AeadStreamOpener(method, keyOf(method, "another password"));
  assert.is(opener.push(stream).ok, false);
  const again = opener.push(new AeadStreamSealer(method, keyOf(method)).seal(Buffer.from("x")));
  assert.is(again.ok ? "accepted" : again.error.code, "SHADOWSOCKS_BAD_TAG");
});

test("a length above 0x3FFF is refused as SHADOWSOCKS_BAD_LENGTH even when it authenticates", () => {
  const method = "aes-128-gcm";
  const master = keyOf(method);
  const salt = randomBytes(16);
  const cipher = createCipheriv("aes-128-gcm", subkeyOf(master, salt), Buffer.alloc(12), {
    authTagLength: 16,
  });
  const length = Buffer.from([0x40, 0x00]);
  const sealedLength = Buffer.concat([cipher.update(length), cipher.final(), cipher.getAuthTag()]);
  const opened = new AeadStreamOpener(method, master).push(Buffer.concat([salt, sealedLength]));
  assert.is(opened.ok ? "accepted" : opened.error.code, "SHADOWSOCKS_BAD_LENGTH");
});

test("random bytes are refused or awaited, never thrown on", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...SHADOWSOCKS_METHODS),
      fc.array(fc.uint8Array({ maxLength: 40_000 }), { maxLength: 4 }),
      (method, pieces) => {
        const opener = new AeadStreamOpener(method, keyOf(method));
        let fed = 0;
        for (const piece of pieces) {
          fed += piece.length;
          const opened = opener.push(piece);
          // A random tag authenticates with probability 2^-128: a payload here means a bug.
          if (opened.ok) assert.is(opened.value.length, 0);
        }
        // Beyond the salt and one length chunk, the first tag must have been checked.
        if (fed >= AEAD_METHODS[method].saltBytes + 18)
          assert.is(opener.push(Buffer.alloc(1)).ok, false);
      },
    ),
    { numRuns: 200 },
  );
});

test.run();
