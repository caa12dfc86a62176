import { randomBytes } from "node:crypto";
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

test.run();
