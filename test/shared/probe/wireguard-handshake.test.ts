import { randomBytes } from "node:crypto";
import { blake2s } from "@noble/hashes/blake2.js";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { hash, mac, publicKeyOf } from "../../../shared/probe/wireguard-crypto.ts";
import {
  checkAnswer,
  createInitiation,
  type HandshakeInitiation,
  INITIAL_CHAINING_KEY,
  INITIAL_HASH,
  type InitiationInput,
  tai64n,
} from "../../../shared/probe/wireguard-handshake.ts";
import { cookieReply, respondToInitiation } from "./support/wireguard-responder.ts";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const utf8 = (text: string) => Buffer.from(text, "utf8");

function keyPair() {
  const privateKey = randomBytes(32);
  return { privateKey, publicKey: publicKeyOf(privateKey) };
}

const server = keyPair();
const probePeer = keyPair();

function initiationInput(overrides: Partial<InitiationInput> = {}): InitiationInput {
  return {
    initiatorPrivateKey: probePeer.privateKey,
    responderPublicKey: server.publicKey,
    ephemeralPrivateKey: randomBytes(32),
    senderIndex: 0x0a0b0c0d,
    timestamp: tai64n(1_700_000_000_123_456_789n),
    ...overrides,
  };
}

function initiate(overrides: Partial<InitiationInput> = {}): HandshakeInitiation {
  const built = createInitiation(initiationInput(overrides));
  assert.ok(built.ok, JSON.stringify(built));
  return built.value;
}

function respond(initiation: HandshakeInitiation) {
  const consumed = respondToInitiation(
    server.privateKey,
    initiation.message,
    randomBytes(32),
    0x11223344,
  );
  assert.ok(consumed, "the server's half accepts the initiation");
  return consumed;
}

/** Recomputes a response's mac1 after a test changed the bytes it covers. */
function withFreshMac1(response: Uint8Array): Buffer {
  const resealed = Buffer.from(response);
  mac(hash(utf8("mac1----"), probePeer.publicKey), resealed.subarray(0, 60)).forEach(
    (byte, index) => {
      resealed[60 + index] = byte;
    },
  );
  return resealed;
}

test("the handshake starts from WireGuard's published chaining key and hash", () => {
  // As hard-coded by other WireGuard implementations (e.g. boringtun's INITIAL_CHAIN_KEY / INITIAL_CHAIN_HASH).
  assert.is(
    hex(INITIAL_CHAINING_KEY),
    "60e26daef327efc02ec335e2a025d2d016eb4206f87277f52d38d1988b78cd36",
  );
  assert.is(hex(INITIAL_HASH), "2211b361081ac566691243db458ad5322d9c6c662293e8b70ee19c65ba079ef3");
});

test("TAI64N is 2^62 + 10 + Unix seconds, then nanoseconds, big-endian", () => {
  assert.is(hex(tai64n(0n)), "400000000000000a00000000");
  assert.is(hex(tai64n(1_700_000_000_123_456_789n)), "400000006553f10a075bcd15");
});

test("an initiation is 148 bytes: type 1, reserved zeros, little-endian sender index, our ephemeral", () => {
  const ephemeralPrivateKey = randomBytes(32);
  const { message } = initiate({ ephemeralPrivateKey });
  assert.is(message.length, 148);
  assert.is(hex(message.subarray(0, 4)), "01000000");
  assert.is(hex(message.subarray(4, 8)), "0d0c0b0a");
  assert.is(hex(message.subarray(8, 40)), hex(publicKeyOf(ephemeralPrivateKey)));
  assert.is(hex(message.subarray(132, 148)), "00".repeat(16), "mac2 is zeros without a cookie");
});

test("mac1 is BLAKE2s-128 keyed with BLAKE2s-256('mac1----' || server key) over the first 116 bytes", () => {
  const { message, pending } = initiate();
  const mac1Key = blake2s(Buffer.concat([utf8("mac1----"), server.publicKey]));
  const expected = blake2s(message.subarray(0, 116), { key: mac1Key, dkLen: 16 });
  assert.is(hex(message.subarray(116, 132)), hex(expected));
  assert.is(hex(pending.mac1), hex(expected));
});

test("the server learns the probe peer's static key and the timestamp from an initiation", () => {
  const timestamp = tai64n(1_800_000_000_000_000_001n);
  const consumed = respond(initiate({ timestamp }));
  assert.is(hex(consumed.initiatorPublicKey), hex(probePeer.publicKey));
  assert.is(hex(consumed.timestamp), hex(timestamp));
  assert.is(consumed.senderIndex, 0x0a0b0c0d);
});

test("the same inputs build the same initiation, and a fresh ephemeral key a different one", () => {
  const input = initiationInput();
  const first = createInitiation(input);
  const second = createInitiation(input);
  assert.ok(first.ok && second.ok);
  assert.is(hex(first.value.message), hex(second.value.message));
  assert.is.not(hex(initiate().message), hex(first.value.message));
});

test("keys of the wrong size, a low-order server key or a bad sender index are refused", () => {
  const cases: Partial<InitiationInput>[] = [
    { initiatorPrivateKey: randomBytes(31) },
    { responderPublicKey: randomBytes(33) },
    { ephemeralPrivateKey: new Uint8Array(0) },
    { timestamp: new Uint8Array(8) },
    { senderIndex: -1 },
    { senderIndex: 2 ** 32 },
    { senderIndex: 1.5 },
    { responderPublicKey: new Uint8Array(32) },
  ];
  for (const overrides of cases) {
    const built = createInitiation(initiationInput(overrides));
    assert.ok(!built.ok && built.error.code === "WIREGUARD_INVALID_KEY", JSON.stringify(built));
  }
  const lowOrder = createInitiation(initiationInput({ responderPublicKey: new Uint8Array(32) }));
  assert.ok(!lowOrder.ok && /serverPublicKey/.test(lowOrder.error.message));
});

test("the server's response to our initiation is a valid handshake response", () => {
  const initiation = initiate();
  const { response } = respond(initiation);
  assert.is(response.length, 92);
  assert.equal(checkAnswer(initiation.pending, response), {
    ok: true,
    value: "handshake_response",
  });
});

test("packets that are neither a response nor a cookie reply are not answers", () => {
  const initiation = initiate();
  const { response } = respond(initiation);
  const wrongType = Buffer.from(response);
  wrongType[0] = 4;
  const reservedSet = Buffer.from(response);
  reservedSet[1] = 1;
  const packets = [
    new Uint8Array(0),
    Uint8Array.of(2),
    response.subarray(0, 91),
    Buffer.concat([response, Uint8Array.of(0)]),
    wrongType,
    reservedSet,
    initiation.message,
    randomBytes(92),
    Buffer.from("HTTP/1.1 400 Bad Request\r\n\r\n"),
  ];
  for (const packet of packets) {
    const checked = checkAnswer(initiation.pending, packet);
    assert.ok(!checked.ok && checked.error.code === "WIREGUARD_NOT_AN_ANSWER", hex(packet));
  }
});

test("a response addressed to another sender index is refused", () => {
  const initiation = initiate();
  const other = initiate({ senderIndex: 7 });
  const checked = checkAnswer(initiation.pending, respond(other).response);
  assert.ok(!checked.ok && checked.error.code === "WIREGUARD_WRONG_RECEIVER");
});

test("a response whose mac1 is not keyed with our public key is refused", () => {
  const initiation = initiate();
  const forged = Buffer.from(respond(initiation).response);
  forged[70] = (forged[70] ?? 0) ^ 0x80;
  const checked = checkAnswer(initiation.pending, forged);
  assert.ok(!checked.ok && checked.error.code === "WIREGUARD_BAD_MAC1");
});

test("a response with a valid mac1 that does not decrypt is refused", () => {
  const initiation = initiate();
  const { response } = respond(initiation);
  const tamperedPayload = Buffer.from(response);
  tamperedPayload[50] = (tamperedPayload[50] ?? 0) ^ 1;
  const tamperedEphemeral = Buffer.from(response);
  tamperedEphemeral[20] = (tamperedEphemeral[20] ?? 0) ^ 1;
  const lowOrderEphemeral = Buffer.from(response);
  lowOrderEphemeral.fill(0, 12, 44);
  // Anyone knows both public keys and can compute mac1; only the server can make the payload decrypt.
  const sameIndexOtherHandshake = respond(initiate()).response;
  for (const forged of [
    withFreshMac1(tamperedPayload),
    withFreshMac1(tamperedEphemeral),
    withFreshMac1(lowOrderEphemeral),
    sameIndexOtherHandshake,
  ]) {
    const checked = checkAnswer(initiation.pending, forged);
    assert.ok(!checked.ok && checked.error.code === "WIREGUARD_NOT_AUTHENTIC", hex(forged));
  }
});

test("a cookie reply bound to our initiation is a valid answer", () => {
  const initiation = initiate();
  const reply = cookieReply(server.publicKey, initiation.message, randomBytes(24), randomBytes(16));
  assert.is(reply.length, 64);
  assert.equal(checkAnswer(initiation.pending, reply), { ok: true, value: "cookie_reply" });
});

test("a cookie reply for another initiation, another server or with a flipped bit is refused", () => {
  const initiation = initiate();
  const otherInitiation = initiate();
  const flipped = Buffer.from(
    cookieReply(server.publicKey, initiation.message, randomBytes(24), randomBytes(16)),
  );
  flipped[40] = (flipped[40] ?? 0) ^ 1;
  for (const reply of [
    cookieReply(server.publicKey, otherInitiation.message, randomBytes(24), randomBytes(16)),
    cookieReply(keyPair().publicKey, initiation.message, randomBytes(24), randomBytes(16)),
    flipped,
  ]) {
    const checked = checkAnswer(initiation.pending, reply);
    assert.ok(!checked.ok && checked.error.code === "WIREGUARD_NOT_AUTHENTIC", hex(reply));
  }
  const wrongIndex = Buffer.from(
    cookieReply(server.publicKey, initiation.message, randomBytes(24), randomBytes(16)),
  );
  wrongIndex[4] = (wrongIndex[4] ?? 0) ^ 1;
  const checked = checkAnswer(initiation.pending, wrongIndex);
  assert.ok(!checked.ok && checked.error.code === "WIREGUARD_WRONG_RECEIVER");
});

test.run();
