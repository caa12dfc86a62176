/**
 * Every parser that meets untrusted bytes, as a fuzz target: what it is fed
 * and what must hold for any input. Most must simply never throw; a snapshot
 * may be refused, but only by an Error that leaves the state as it was.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { Readable } from "node:stream";
import type fc from "fast-check";
import { z } from "zod";
import { userIdArgument, words } from "../../bot/admin/command-args.ts";
import { readBackupHeader, sealBackup } from "../../cluster/backup/backup-file.ts";
import { ControlPlaneState } from "../../cluster/fsm/control-plane.ts";
import { generateNodeIdentity } from "../../cluster/identity/node-identity.ts";
import { joinAnswerSchema, joinRequestSchema } from "../../cluster/membership/join-protocol.ts";
import {
  encodeJoinToken,
  joinTokenVerifier,
  newJoinTokenSecret,
  parseJoinToken,
  verifyJoinClaim,
} from "../../cluster/membership/join-token.ts";
import { decodeEnvelope, encodeEnvelope, stampForwarded } from "../../cluster/proposal-envelope.ts";
import { decodeConfChange } from "../../cluster/raft/conf-change-codec.ts";
import { decodeEntry } from "../../cluster/storage/entry-codec.ts";
import { chooseFormat } from "../../cluster/subscription/format-selection.ts";
import { secretsAnswerSchema } from "../../cluster/subscription/secret-exchange.ts";
import { subscriptionPathToken } from "../../cluster/subscription/subscription-endpoints.ts";
import { buildSecretsRequest } from "../../cluster/subscription/subscription-secret-fetch.ts";
import { SubscriptionSecretOwner } from "../../cluster/subscription/subscription-secret-owner.ts";
import { decodeFrame, encodeFrame } from "../../cluster/transport/frame.ts";
import {
  type AcceptorState,
  answerChallenge,
  answerHello,
  checkAuth,
  createHello,
  encodeNonce,
  NONCE_BYTES,
} from "../../cluster/transport/handshake.ts";
import { PeerKeyBook } from "../../cluster/transport/peer-key-book.ts";
import {
  deriveSessionKeys,
  FrameOpener,
  FrameSealer,
  generateEphemeralKeyPair,
} from "../../cluster/transport/session-cipher.ts";
import { vantageProbeInputSchema } from "../../cluster/vantage-probe-input.ts";
import { generateKeyPair } from "../../shared/crypto/wireguard-keys.ts";
import { readJsonBody } from "../../shared/json-body.ts";
import { KeyRateLimit } from "../../shared/key-rate-limit.ts";
import { probeOutcomeSchema, probeRequestSchema } from "../../shared/probe/probe-request.ts";
import { headOf } from "../../shared/probe/shadowsocks-probe.ts";
import { AeadStreamOpener, AeadStreamSealer } from "../../shared/shadowsocks/aead-stream.ts";
import { masterKeyOf } from "../../shared/shadowsocks/shadowsocks-keys.ts";
import { parseTrustedNetworks } from "../../shared/trusted-networks.ts";
import { byteInputs, textInputs } from "./inputs.ts";

export interface FuzzTarget<Input = unknown> {
  name: string;
  inputs: fc.Arbitrary<Input>;
  /** Throws (or rejects) when the property fails for `input`. */
  run(input: Input): void | Promise<void>;
}

function target<Input>(definition: FuzzTarget<Input>): FuzzTarget<unknown> {
  return definition as FuzzTarget<unknown>;
}

const SECRET = "fuzzing-cluster-secret-0123456789abcdef";

/** A backup sealed to some key: the header parser needs no passphrase. */
const backupSeed = await sealBackup(
  {
    cluster: { members: ["n1", "n2"], madeBy: "n1" },
    createdAt: "2026-12-06T03:00:00.000Z",
    contents: ["users"],
    counts: { users: 1, configs: 0, liveConfigs: 0, servers: 0, invites: 0, settings: 0 },
  },
  JSON.stringify({ v: 2, users: [] }),
  {
    salt: randomBytes(16).toString("base64"),
    n: 1024,
    r: 8,
    p: 1,
    publicKey: generateKeyPair().publicKey,
  },
);
const nonce = () => encodeNonce(randomBytes(NONCE_BYTES));

/** n2 accepting n1, with n1 pinned, as a running member would. */
const dialer = generateNodeIdentity();
const acceptor = generateNodeIdentity();
const acceptorState: AcceptorState = {
  selfId: "n2",
  identity: acceptor,
  clusterSecret: SECRET,
  keys: new PeerKeyBook(() => undefined),
  isPeer: (id) => id === "n1" || id === "n3",
};
const dialerState = { ...acceptorState, selfId: "n1", identity: dialer };
const dialerEphemeral = generateEphemeralKeyPair();
const validHello = createHello(dialerState, "n2", nonce(), dialerEphemeral);
const answered = answerHello(acceptorState, validHello, nonce(), generateEphemeralKeyPair());
if (!answered.ok) throw new Error(answered.error.message);
const validChallenge = answered.value.challenge;
const validAuth = answerChallenge(dialerState, validHello, validChallenge, dialerEphemeral);
if (!validAuth.ok) throw new Error(validAuth.error.message);

const frameSeeds = [
  encodeFrame(validHello),
  encodeFrame(validChallenge),
  encodeFrame(validAuth.value.auth),
  JSON.stringify({
    v: 2,
    type: "msgs",
    messages: [
      {
        type: "app",
        from: "n1",
        to: "n2",
        term: 3,
        index: 7,
        logTerm: 3,
        commit: 6,
        entries: [{ index: 8, term: 3, type: "normal", data: "x" }],
      },
      { type: "heartbeat", from: "n1", to: "n2", term: 3, commit: 6 },
    ],
  }),
];

const wireguardKey = generateKeyPair().publicKey;
const commandSeeds = [
  { type: "setSetting", key: "accessMode", value: "open", actor: { kind: "api" } },
  { type: "upsertUser", userId: "42", name: "A", language: "en", at: 1 },
  {
    type: "registerServer",
    serverId: "n1",
    publicKey: wireguardKey,
    listenPort: 51820,
    apiPort: 7001,
    endpointHost: "203.0.113.7",
    capacity: 10,
    region: "default",
    at: 1,
  },
  {
    type: "issueConfig",
    configId: "c1",
    userId: "42",
    clientPublicKey: wireguardKey,
    deliveryKeysSealed: "v2.k1.a.b",
    at: 2,
  },
  { type: "pinNodeKey", nodeId: "n2", publicKey: acceptor.publicKey, actor: "n1", at: 3 },
  {
    type: "revokeConfig",
    configId: "c1",
    actor: { kind: "telegram", userId: "42" },
    reason: "",
    at: 4,
  },
  {
    type: "setUserRole",
    userId: "42",
    role: "admin",
    actor: { kind: "telegram", userId: "42" },
    at: 5,
  },
].map((command) => JSON.stringify(command));

const seededState = new ControlPlaneState();
for (const [index, command] of commandSeeds.entries()) seededState.apply(command, index + 1);
const snapshotSeed = seededState.snapshot();

/** n1's server answering subscription-secret requests; n2's key is pinned in the seeded state. */
const ownerServerKeys = generateKeyPair();
const secretOwner = new SubscriptionSecretOwner({
  selfId: "n1",
  identity: dialer,
  serverKeys: ownerServerKeys,
  state: () => seededState,
  rateLimit: new KeyRateLimit({ burst: 1e9, perSecond: 1e9, maxKeys: 16 }),
});
const secretsRequestSeed = buildSecretsRequest(
  { selfId: "n2", identity: acceptor, timeoutMs: 1000 },
  {
    ownerId: "n1",
    baseUrl: "http://127.0.0.1",
    serverPublicKey: ownerServerKeys.publicKey,
    identityKey: dialer.publicKey,
  },
  "A".repeat(43),
  ["c1"],
).request;

const sessionKeys = deriveSessionKeys(
  generateEphemeralKeyPair(),
  generateEphemeralKeyPair().publicKey,
  randomBytes(32),
  "dialer",
)!;
const sealedSeeds = [new FrameSealer(sessionKeys.send).seal(Buffer.from(frameSeeds[3]!))];

const shadowsocksKey = masterKeyOf("fuzzing probe password", 32);
const shadowsocksReplySeeds = [
  new AeadStreamSealer("chacha20-ietf-poly1305", shadowsocksKey).seal(
    Buffer.from('HTTP/1.1 200 OK\r\ncontent-length: 15\r\n\r\n{"status":"ok"}'),
  ),
  new AeadStreamSealer("chacha20-ietf-poly1305", shadowsocksKey).seal(Buffer.alloc(20_000, 0x48)),
];

const apiBodySchema = z.strictObject({
  region: z.string().max(32).optional(),
  reason: z.string().max(500).optional(),
});

function requestWithBody(body: string): IncomingMessage {
  return Readable.from([Buffer.from(body, "latin1")]) as unknown as IncomingMessage;
}

const probeSeeds = [
  JSON.stringify({
    target: { host: "203.0.113.7", port: 51820, protocol: "tcp" },
    timeoutMs: 1000,
  }),
  JSON.stringify({ ok: true, rttMs: 12 }),
  JSON.stringify({ ok: false, error: "connection_reset" }),
];

function parsedOrRaw(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export const fuzzTargets: FuzzTarget[] = [
  target({
    name: "peer frame (text)",
    inputs: textInputs(frameSeeds),
    run: (text) => {
      decodeFrame(Buffer.from(text, "utf8"), false);
      decodeFrame(Buffer.from(text, "utf8"), true);
    },
  }),
  target({
    name: "handshake: hello at the acceptor",
    inputs: textInputs([encodeFrame(validHello)]),
    run: (text) => {
      const frame = decodeFrame(Buffer.from(text, "utf8"), false);
      if (frame.ok && frame.value.type === "hello")
        answerHello(acceptorState, frame.value, nonce(), generateEphemeralKeyPair());
    },
  }),
  target({
    name: "handshake: challenge at the dialer",
    inputs: textInputs([encodeFrame(validChallenge)]),
    run: (text) => {
      const frame = decodeFrame(Buffer.from(text, "utf8"), false);
      if (frame.ok && frame.value.type === "challenge")
        answerChallenge(dialerState, validHello, frame.value, dialerEphemeral);
    },
  }),
  target({
    name: "handshake: auth at the acceptor",
    inputs: textInputs([encodeFrame(validAuth.value.auth)]),
    run: (text) => {
      const frame = decodeFrame(Buffer.from(text, "utf8"), false);
      if (frame.ok && frame.value.type === "auth")
        checkAuth(acceptorState, answered.value.pending, frame.value);
    },
  }),
  target({
    name: "sealed frame",
    inputs: byteInputs(sealedSeeds),
    run: (bytes) => {
      new FrameOpener(sessionKeys.send).open(bytes);
    },
  }),
  target({
    name: "raft log entry (Redis)",
    inputs: textInputs(['42:3:n:{"r":"a","c":"{}"}', "7:1:c:{}"]),
    run: (text) => {
      decodeEntry(text);
    },
  }),
  target({
    name: "membership change entry",
    inputs: textInputs([
      JSON.stringify({ type: "addNode", nodeId: "n4", url: "ws://127.0.0.1:7004" }),
    ]),
    run: (text) => {
      decodeConfChange(text);
    },
  }),
  target({
    name: "proposal envelope",
    inputs: textInputs([encodeEnvelope({ requestId: "r", command: commandSeeds[0]! })]),
    run: (text) => {
      decodeEnvelope(text);
      const stamped = stampForwarded(text, "n2", 1);
      if (stamped !== undefined) decodeEnvelope(stamped);
    },
  }),
  target({
    name: "control-plane command (apply)",
    inputs: textInputs(commandSeeds),
    run: (text) => {
      const state = new ControlPlaneState();
      state.apply(commandSeeds[2]!, 1);
      state.apply(text, 2);
      state.apply(text, 3, "n2");
    },
  }),
  target({
    name: "snapshot (restore)",
    inputs: textInputs([snapshotSeed]),
    run: (text) => {
      const state = new ControlPlaneState();
      state.restore(snapshotSeed);
      const before = state.stateHash();
      try {
        state.restore(text);
      } catch (error) {
        if (!(error instanceof Error))
          throw new Error(`restore threw a non-Error: ${String(error)}`);
        if (state.stateHash() !== before) throw new Error("a refused snapshot changed the state");
      }
    },
  }),
  target({
    name: "backup file header",
    inputs: byteInputs([backupSeed]),
    run: (bytes) => {
      const read = readBackupHeader(bytes);
      if (read.ok && read.value.sealed.length !== read.value.header.sealedBytes)
        throw new Error("a header was accepted with a sealed part of another length");
    },
  }),
  target({
    name: "admin API body",
    inputs: textInputs([
      JSON.stringify({ region: "eu" }),
      JSON.stringify({ reason: "x" }),
      JSON.stringify({
        id: "p1",
        url: "https://10.0.0.5:9190",
        token: "probe-token-0123456789",
        certSha256: "ab".repeat(32),
      }),
      JSON.stringify({ id: "p2", url: "http://h/", token: "t".repeat(16), insecure: true }),
    ]),
    run: async (text) => {
      await readJsonBody(requestWithBody(text), apiBodySchema);
      // POST /v1/probes: its cross-field checks must never throw on what the field checks refused.
      await readJsonBody(requestWithBody(text), vantageProbeInputSchema);
    },
  }),
  target({
    name: "probe agent request",
    inputs: textInputs(probeSeeds),
    run: (text) => {
      probeRequestSchema.safeParse(parsedOrRaw(text));
    },
  }),
  target({
    name: "probe reply",
    inputs: textInputs(probeSeeds),
    run: (text) => {
      probeOutcomeSchema.safeParse(parsedOrRaw(text));
    },
  }),
  target({
    name: "shadowsocks reply",
    inputs: byteInputs(shadowsocksReplySeeds),
    run: (bytes) => {
      // As the probe reads a reply: in two pieces, each opened payload read as HTTP so far.
      const opener = new AeadStreamOpener("chacha20-ietf-poly1305", shadowsocksKey);
      let reply = Buffer.alloc(0);
      for (const piece of [
        bytes.subarray(0, bytes.length >> 1),
        bytes.subarray(bytes.length >> 1),
      ]) {
        const opened = opener.push(piece);
        if (!opened.ok) return;
        reply = Buffer.concat([reply, ...opened.value]);
        headOf(reply);
      }
    },
  }),
  target({
    name: "bot command arguments",
    inputs: textInputs([
      "/approve 123456789",
      "/ban n2 blocked in AS1234",
      "/probes add p1 https://h/ tok eu isp",
    ]),
    run: (text) => {
      for (const word of words(text)) userIdArgument(word);
    },
  }),
  target({
    name: "join token",
    inputs: textInputs([
      encodeJoinToken({
        nodeId: "de-3f9a0c",
        secret: newJoinTokenSecret(),
        expiresAt: 2_000_000_000_000,
        members: [{ id: "n1", url: "ws://10.0.0.1:7001", identityKey: acceptor.publicKey }],
      }),
      "nxj1.",
    ]),
    run: (text) => {
      const parsed = parseJoinToken(text);
      if (parsed.ok) joinTokenVerifier(parsed.value.nodeId, parsed.value.secret);
    },
  }),
  target({
    name: "join request and answer",
    inputs: textInputs([
      JSON.stringify({
        nodeId: "n4",
        identityKey: dialer.publicKey,
        peerUrl: "ws://10.0.0.4:7001",
        boxKey: generateKeyPair().publicKey,
        tokenSignature: "A".repeat(86),
        identitySignature: "A".repeat(86),
      }),
    ]),
    run: (text) => {
      const json = parsedOrRaw(text);
      const request = joinRequestSchema.safeParse(json);
      if (request.success)
        verifyJoinClaim(acceptor.publicKey, request.data, request.data.tokenSignature);
      joinAnswerSchema.safeParse(json);
    },
  }),
  target({
    name: "subscription request (path, format, secrets exchange)",
    inputs: textInputs([
      JSON.stringify(secretsRequestSeed),
      `/s/${"A".repeat(43)}`,
      "sing-box",
      "ClashMetaForAndroid/2.10",
    ]),
    run: (text) => {
      const json = parsedOrRaw(text);
      secretOwner.answer(json);
      secretsAnswerSchema.safeParse(json);
      subscriptionPathToken(text);
      chooseFormat(text, text);
    },
  }),
  target({
    name: "TRUSTED_NETWORKS",
    inputs: textInputs(["127.0.0.0/8,::1/128", "10.0.0.0/8", "none"]),
    run: (text) => {
      const parsed = parseTrustedNetworks(text);
      if (parsed.ok) parsed.value("10.1.2.3");
    },
  }),
];
