import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  deriveSessionKeys,
  FrameOpener,
  FrameSealer,
  generateEphemeralKeyPair,
} from "../../../cluster/transport/session-cipher.ts";

function session() {
  const dialer = generateEphemeralKeyPair();
  const acceptor = generateEphemeralKeyPair();
  const transcript = randomBytes(32);
  const dialerKeys = deriveSessionKeys(dialer, acceptor.publicKey, transcript, "dialer")!;
  const acceptorKeys = deriveSessionKeys(acceptor, dialer.publicKey, transcript, "acceptor")!;
  return {
    sealer: new FrameSealer(dialerKeys.send),
    opener: new FrameOpener(acceptorKeys.receive),
    dialerKeys,
    acceptorKeys,
  };
}

test("frames open in order on the other end, and the ciphertext hides the plaintext", () => {
  const { sealer, opener } = session();
  const first = sealer.seal(Buffer.from('{"type":"msgs","secret":"token"}'));
  assert.not.ok(first.toString("latin1").includes("token"));
  assert.is(opener.open(first)?.toString(), '{"type":"msgs","secret":"token"}');
  assert.is(opener.open(sealer.seal(Buffer.from("second")))?.toString(), "second");
});

test("a replayed, reordered or tampered frame does not open", () => {
  const { sealer, opener } = session();
  const first = sealer.seal(Buffer.from("one"));
  const second = sealer.seal(Buffer.from("two"));
  assert.is(opener.open(second), null, "out of order");
  assert.is(opener.open(first)?.toString(), "one");
  assert.is(opener.open(first), null, "replayed");
  const flipped = Buffer.from(second);
  flipped[0]! ^= 1;
  assert.is(opener.open(flipped), null, "tampered");
  assert.is(opener.open(second)?.toString(), "two", "a failed open does not move the counter");
  assert.is(opener.open(Buffer.alloc(3)), null, "shorter than a tag");
});

test("each direction has its own key, and another session's key opens nothing", () => {
  const { dialerKeys, acceptorKeys } = session();
  assert.equal(dialerKeys.send, acceptorKeys.receive);
  assert.equal(dialerKeys.receive, acceptorKeys.send);
  assert.not.equal(dialerKeys.send, dialerKeys.receive);
  const other = session();
  const sealed = new FrameSealer(dialerKeys.send).seal(Buffer.from("x"));
  assert.is(new FrameOpener(other.acceptorKeys.receive).open(sealed), null);
});

test("a low-order or malformed peer key gives no session", () => {
  const ours = generateEphemeralKeyPair();
  assert.is(
    deriveSessionKeys(ours, Buffer.alloc(32).toString("base64url"), randomBytes(32), "dialer"),
    null,
  );
  assert.is(deriveSessionKeys(ours, "not a key", randomBytes(32), "dialer"), null);
});

/** The n-th frame's nonce as the wire defines it: the counter, big-endian, in the last six bytes. */
function nonceOf(counter: number): Buffer {
  const nonce = Buffer.alloc(12);
  nonce.writeUIntBE(counter, 6, 6);
  return nonce;
}

test("frames are standard ChaCha20-Poly1305 under the counter nonce, so members of either release talk", () => {
  const key = randomBytes(32);
  const sealer = new FrameSealer(key);
  sealer.seal(Buffer.from("frame 0"));
  const sealed = sealer.seal(Buffer.from("frame 1"));
  const decipher = createDecipheriv("chacha20-poly1305", key, nonceOf(1), { authTagLength: 16 });
  decipher.setAuthTag(sealed.subarray(sealed.length - 16));
  const opened = decipher.update(sealed.subarray(0, sealed.length - 16));
  decipher.final();
  assert.is(opened.toString(), "frame 1");

  const opener = new FrameOpener(key);
  for (const [counter, text] of ["frame 0", "frame 1"].entries()) {
    const cipher = createCipheriv("chacha20-poly1305", key, nonceOf(counter), {
      authTagLength: 16,
    });
    const head = cipher.update(Buffer.from(text));
    cipher.final();
    assert.is(opener.open(Buffer.concat([head, cipher.getAuthTag()]))?.toString(), text);
  }
});

test("erasing a session's keys zeroes them in place, after which nothing opens", () => {
  const { sealer, opener, dialerKeys, acceptorKeys } = session();
  const sealed = sealer.seal(Buffer.from("before the end"));
  sealer.erase();
  opener.erase();
  assert.ok(dialerKeys.send.every((byte) => byte === 0));
  assert.ok(acceptorKeys.receive.every((byte) => byte === 0));
  assert.is(opener.open(sealed), null);
});

test("an empty frame and a frame of a megabyte both round-trip", () => {
  const { sealer, opener } = session();
  assert.is(opener.open(sealer.seal(Buffer.alloc(0)))?.length, 0);
  const large = randomBytes(1 << 20);
  assert.equal(opener.open(sealer.seal(large)), large);
});

test.run();
