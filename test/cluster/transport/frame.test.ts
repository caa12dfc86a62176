import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Message } from "../../../cluster/raft/types.ts";
import {
  type AuthFrame,
  checkAddressing,
  decodeFrame,
  encodeFrame,
  encodeMessage,
  type Frame,
  type HelloFrame,
  maxMessageBytes,
  packMessageFrames,
} from "../../../cluster/transport/frame.ts";

const NONCE = "A".repeat(43);
const KEY = "K".repeat(43);
const EPHEMERAL = "E".repeat(43);
const SIGNATURE = "s".repeat(86);
const hello: HelloFrame = {
  v: 2,
  type: "hello",
  from: "n1",
  to: "n2",
  nonce: NONCE,
  key: KEY,
  ephemeral: EPHEMERAL,
};
const auth: AuthFrame = { v: 2, type: "auth", signature: SIGNATURE, proof: "b".repeat(43) };

function heartbeat(index: number, context?: string): Message {
  const message: Message = { type: "heartbeat", from: "n1", to: "n2", term: 1, index };
  if (context !== undefined) message.context = context;
  return message;
}

function decodeText(text: string) {
  return decodeFrame(Buffer.from(text, "utf8"), false);
}

function reasonFor(text: string): string {
  const decoded = decodeText(text);
  return decoded.ok ? "accepted" : decoded.error.code;
}

test("handshake frames survive encode and decode", () => {
  for (const frame of [
    hello,
    { ...hello, type: "challenge", signature: SIGNATURE, proof: "c".repeat(43) } as Frame,
    auth,
  ] as const) {
    assert.equal(decodeText(encodeFrame(frame as HelloFrame)), { ok: true, value: frame });
  }
});

test("a binary frame is refused whatever it holds", () => {
  const decoded = decodeFrame(Buffer.from(encodeFrame(hello)), true);
  assert.is(decoded.ok ? "accepted" : decoded.error.code, "BINARY_FRAME");
});

test("text that is not JSON is refused as BAD_JSON", () => {
  assert.is(reasonFor("{"), "BAD_JSON");
  assert.is(reasonFor(""), "BAD_JSON");
  assert.is(reasonFor("\u0000\u0001garbage"), "BAD_JSON");
});

test("JSON that is not an object is refused as BAD_SCHEMA", () => {
  for (const text of ["[]", "null", "42", '"hello"']) assert.is(reasonFor(text), "BAD_SCHEMA");
});

test("a missing or different version is refused as BAD_VERSION, with both versions named", () => {
  assert.is(reasonFor(JSON.stringify({ ...hello, v: 1 })), "BAD_VERSION");
  assert.is(reasonFor(JSON.stringify({ ...hello, v: "2" })), "BAD_VERSION");
  const { v: _, ...unversioned } = hello;
  assert.is(reasonFor(JSON.stringify(unversioned)), "BAD_VERSION");
  const decoded = decodeText(JSON.stringify({ ...hello, v: 1 }));
  if (!decoded.ok) assert.match(decoded.error.message, /version 1 .* speaks 2/);
});

test("frames of the right version but the wrong shape are refused as BAD_SCHEMA", () => {
  assert.is(reasonFor(JSON.stringify({ v: 2, type: "gossip" })), "BAD_SCHEMA");
  assert.is(reasonFor(JSON.stringify({ ...hello, nonce: "short" })), "BAD_SCHEMA");
  assert.is(reasonFor(JSON.stringify({ ...hello, from: "" })), "BAD_SCHEMA");
  assert.is(reasonFor(JSON.stringify({ ...auth, proof: "!".repeat(43) })), "BAD_SCHEMA");
  assert.is(reasonFor(JSON.stringify({ ...auth, signature: "s".repeat(85) })), "BAD_SCHEMA");
  assert.is(reasonFor(JSON.stringify({ ...hello, key: undefined })), "BAD_SCHEMA");
  assert.is(reasonFor(JSON.stringify({ v: 2, type: "msgs", messages: [] })), "BAD_SCHEMA");
  assert.is(
    reasonFor(JSON.stringify({ v: 2, type: "msgs", messages: [{ ...heartbeat(1), term: -1 }] })),
    "BAD_SCHEMA",
  );
});

test("a peer may only send messages from itself to this node", () => {
  const messages = [heartbeat(1), heartbeat(2)];
  assert.equal(checkAddressing(messages, "n1", "n2"), { ok: true, value: messages });
  const spoofed = checkAddressing([heartbeat(1), { ...heartbeat(2), from: "n3" }], "n1", "n2");
  assert.is(spoofed.ok ? "accepted" : spoofed.error.code, "WRONG_SENDER");
  const misrouted = checkAddressing(messages, "n1", "n3");
  assert.is(misrouted.ok ? "accepted" : misrouted.error.code, "WRONG_RECIPIENT");
});

test("no messages make no frames", () => {
  assert.equal(packMessageFrames([], 1024), []);
});

test("messages that fit together leave as one frame that decodes to them in order", () => {
  const messages = [1, 2, 3].map((index) => heartbeat(index));
  const frames = packMessageFrames(messages.map(encodeMessage), 1024);
  assert.is(frames.length, 1);
  assert.equal(decodeText(frames[0]!), { ok: true, value: { v: 2, type: "msgs", messages } });
});

test("a message exactly as large as a frame allows fits alone", () => {
  const base = encodeMessage(heartbeat(1, "")).bytes;
  const limit = 1024;
  const exact = heartbeat(1, "x".repeat(maxMessageBytes(limit) - base));
  const [frame, ...rest] = packMessageFrames([encodeMessage(exact)], limit);
  assert.is(rest.length, 0);
  assert.is(Buffer.byteLength(frame!), limit);
  assert.throws(
    () => packMessageFrames([encodeMessage({ ...exact, context: `${exact.context}x` })], limit),
    /cannot fit/,
  );
});

test("packing splits into frames that each fit, keeping every message in order", () => {
  const limit = 2048;
  fc.assert(
    fc.property(
      fc.array(fc.string({ unit: "grapheme", maxLength: 400 }), { maxLength: 40 }),
      (contexts) => {
        const messages = contexts.map((context, index) => heartbeat(index, context));
        const frames = packMessageFrames(messages.map(encodeMessage), limit);
        const unpacked: Message[] = [];
        for (const frame of frames) {
          assert.ok(Buffer.byteLength(frame) <= limit, `frame of ${Buffer.byteLength(frame)}`);
          const decoded = decodeText(frame);
          assert.ok(decoded.ok);
          if (decoded.ok && decoded.value.type === "msgs") unpacked.push(...decoded.value.messages);
        }
        assert.equal(unpacked, messages);
      },
    ),
    { numRuns: 200 },
  );
});

test.run();
