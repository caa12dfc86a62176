import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  type CommandInputOf,
  type ControlPlaneCommandInput,
  controlPlaneCommandSchema,
} from "../../../cluster/fsm/commands.ts";
import { ControlPlaneState } from "../../../cluster/fsm/control-plane.ts";
import { serverKeyStatement } from "../../../cluster/fsm/server-key-signature.ts";
import { generateNodeIdentity } from "../../../cluster/identity/node-identity.ts";
import {
  joinTokenVerifier,
  newJoinTokenSecret,
  signJoinClaim,
} from "../../../cluster/membership/join-token.ts";
import { command, DAY_MS, Fixture, HOUR_MS, T0, wgKey } from "./support/control-plane-fixture.ts";

/** The peer that forwards in these tests: n2, a follower, perhaps seized. */
const FORWARDER = "n2";
/** Another member's server. */
const OTHER = "n3";

/** The reports a node makes about its own server: the only commands it may forward. */
const OWN_SERVER_REPORTS = [
  "registerServer",
  "setServerEndpoint",
  "reportServerLoad",
  "setProbePeer",
  "reportTraffic",
  "setShadowsocksProbe",
] as const;

const otherIdentity = generateNodeIdentity();
/** c1's client key, the same in every prepared state, so a sample can seal for it. */
const C1_KEY = wgKey(9100, 1);
const otherKey = otherIdentity.publicKey;
const newKey = generateNodeIdentity().publicKey;
/** A server an admin is adding: its join token waits in every prepared state. */
const JOINER = "n9";
const joinSecret = newJoinTokenSecret();
const joinClaim = {
  nodeId: JOINER,
  identityKey: generateNodeIdentity().publicKey,
  peerUrl: "ws://10.0.0.9:7001",
  boxKey: wgKey(9200, 1),
};

/**
 * A state with something for every command to act on: three servers (two
 * offering Shadowsocks), an
 * active and a pending user, a config, an invite, a vantage probe, a
 * broadcast waiting in the outbox and n3's pinned identity key.
 */
function preparedState(): Fixture {
  const fixture = new Fixture();
  for (const serverId of ["n1", FORWARDER]) {
    fixture.ok(
      command.registerServer(serverId, {
        protocols: ["wireguard", "shadowsocks"],
        shadowsocks: { firstPort: 20000, lastPort: 20009, method: "aes-256-gcm" },
      }),
    );
  }
  fixture.ok(command.registerServer(OTHER));
  fixture.ok(command.upsertUser("10"));
  fixture.ok(command.upsertUser("11", { status: "pending" }));
  fixture.ok(command.issueConfig("c1", "10", { clientPublicKey: C1_KEY }));
  // Placement spreads these over the other servers: each server has a config to report on.
  fixture.ok(command.upsertUser("13"));
  fixture.ok(command.issueConfig("c3", "13", { clientPublicKey: wgKey(9101, 1) }));
  fixture.ok(command.issueConfig("c4", "13", { clientPublicKey: wgKey(9102, 1) }));
  // User 13 used up a 1 GB quota on c4's server an hour ago, and is suspended.
  fixture.ok({ type: "setUserQuota", userId: "13", quotaGb: 1, actor: { kind: "api" }, at: T0 });
  const c4 = fixture.state.config("c4")!;
  fixture.ok({
    type: "reportTraffic",
    serverId: c4.serverId,
    counters: [{ configId: "c4", peer: c4.clientPublicKey, rxBytes: 2e9, txBytes: 0 }],
    at: T0 - HOUR_MS,
  });
  fixture.ok({ type: "createInvite", code: "INVITE1", uses: 5, actor: { kind: "api" }, at: T0 });
  fixture.ok({
    type: "addVantageProbe",
    id: "p1",
    url: "https://p1.probe.example",
    tokenEncrypted: "enc-token",
    region: "ir",
    isp: "mci",
    actor: { kind: "api" },
    at: T0,
  });
  fixture.ok({ type: "broadcast", text: "hello", actor: { kind: "api" }, at: T0 });
  fixture.ok({ type: "pinNodeKey", nodeId: OTHER, publicKey: otherKey, actor: "n1", at: T0 });
  fixture.ok({
    type: "createJoinToken",
    nodeId: JOINER,
    verifier: joinTokenVerifier(JOINER, joinSecret),
    expiresAt: T0 + DAY_MS,
    actor: { kind: "api" },
    at: T0,
  });
  return fixture;
}

const outboxId = preparedState().state.pendingOutbox()[0]!.id;
const configC1 = preparedState().state.config("c1")!;

/** A traffic report of `serverId` about its first config. */
function trafficReport(serverId: string): CommandInputOf<"reportTraffic"> {
  const config = preparedState().state.liveConfigsOfServer(serverId)[0]!;
  return {
    type: "reportTraffic",
    serverId,
    counters: [{ configId: config.id, peer: config.clientPublicKey, rxBytes: 10, txBytes: 20 }],
    at: T0,
  };
}

/**
 * One command of every type, each of which the prepared state accepts from
 * the leader's own process. Typed over every command type, so a new type
 * does not compile until it has a sample here.
 */
const samples: { [Type in ControlPlaneCommandInput["type"]]: CommandInputOf<Type> } = {
  setSetting: { type: "setSetting", key: "configsPerUser", value: "9", actor: { kind: "api" } },
  // OTHER's identity is pinned: a new WireGuard key needs its signature.
  registerServer: command.registerServer(OTHER, {
    publicKey: wgKey(9001, 1),
    identitySignature: otherIdentity
      .sign(serverKeyStatement(OTHER, wgKey(9001, 1)))
      .toString("base64url"),
  }),
  setServerEndpoint: {
    type: "setServerEndpoint",
    serverId: OTHER,
    endpointHost: "203.0.113.7",
    at: T0,
  },
  setServerStatus: {
    type: "setServerStatus",
    serverId: OTHER,
    status: "banned",
    reason: "filtered",
    actor: { kind: "api" },
    at: T0,
  },
  setProbePeer: {
    type: "setProbePeer",
    serverId: OTHER,
    publicKey: wgKey(9002, 1),
    privateKeyEncrypted: "enc-probe",
    at: T0,
  },
  setShadowsocksProbe: {
    type: "setShadowsocksProbe",
    serverId: "n1",
    passwordSealed: "enc-password",
    passwordSealedToServer: "x1.sealed-to-n1",
    at: T0,
  },
  reportServerLoad: {
    type: "reportServerLoad",
    serverId: OTHER,
    activePeers: 0,
    rxBytes: 0,
    txBytes: 0,
    at: T0,
  },
  recordVerdict: command.verdict(OTHER, 1, "ok"),
  upsertUser: command.upsertUser("12", { role: "admin" }),
  setUserRole: { type: "setUserRole", userId: "10", role: "admin", actor: { kind: "api" }, at: T0 },
  setUserStatus: {
    type: "setUserStatus",
    userId: "10",
    status: "blocked",
    actor: { kind: "api" },
    at: T0,
  },
  createInvite: { type: "createInvite", code: "INVITE2", uses: 1, actor: { kind: "api" }, at: T0 },
  redeemInvite: { type: "redeemInvite", code: "INVITE1", userId: "11", at: T0 },
  deleteInvite: { type: "deleteInvite", code: "INVITE1", actor: { kind: "api" }, at: T0 },
  issueConfig: command.issueConfig("c2", "10"),
  revokeConfig: command.revokeConfig("c1"),
  rekeyConfig: {
    type: "rekeyConfig",
    configId: "c1",
    clientPublicKey: wgKey(9003, 1),
    deliveryKeysSealed: "sealed-again",
    at: T0,
  },
  sealServerPresharedKeys: {
    type: "sealServerPresharedKeys",
    items: [
      {
        configId: "c1",
        clientPublicKey: C1_KEY,
        serverPublicKey: preparedState().state.server(configC1.serverId)!.publicKey,
        sealed: "to-server",
      },
    ],
    at: T0,
  },
  issueSubscription: {
    type: "issueSubscription",
    userId: configC1.userId,
    tokenSha256: "ab".repeat(32),
    tokenSealed: "sealed-token",
    replace: true,
    at: T0,
  },
  eraseConfigKeys: { type: "eraseConfigKeys", configIds: ["c1"], reason: "delivered", at: T0 },
  resealSecrets: {
    type: "resealSecrets",
    items: [{ kind: "vantageToken", recordId: "p1", from: "enc-token", to: "enc-token-2" }],
    at: T0,
  },
  expireConfigs: { type: "expireConfigs", at: T0 + 400 * DAY_MS },
  addVantageProbe: {
    type: "addVantageProbe",
    id: "p2",
    url: "https://p2.probe.example",
    tokenEncrypted: "enc-token",
    region: "ir",
    isp: "mci",
    actor: { kind: "api" },
    at: T0,
  },
  removeVantageProbe: { type: "removeVantageProbe", id: "p1", actor: { kind: "api" }, at: T0 },
  markOutboxDelivered: { type: "markOutboxDelivered", id: outboxId, at: T0 },
  markOutboxFailed: {
    type: "markOutboxFailed",
    id: outboxId,
    error: "403",
    permanent: true,
    at: T0,
  },
  broadcast: { type: "broadcast", text: "come to my server", actor: { kind: "api" }, at: T0 },
  pinNodeKey: { type: "pinNodeKey", nodeId: "n1", publicKey: newKey, actor: "n1", at: T0 },
  replaceNodeKey: {
    type: "replaceNodeKey",
    nodeId: OTHER,
    publicKey: newKey,
    actor: "admin-api",
    reason: "",
    at: T0,
  },
  revokeNodeKey: { type: "revokeNodeKey", nodeId: OTHER, actor: "admin-api", reason: "", at: T0 },
  createJoinToken: {
    type: "createJoinToken",
    nodeId: "n10",
    verifier: joinTokenVerifier("n10", newJoinTokenSecret()),
    expiresAt: T0 + DAY_MS,
    actor: { kind: "api" },
    at: T0,
  },
  redeemJoinToken: {
    type: "redeemJoinToken",
    ...joinClaim,
    tokenSignature: signJoinClaim(joinSecret, joinClaim),
    at: T0,
  },
  cancelJoinToken: { type: "cancelJoinToken", nodeId: JOINER, actor: { kind: "api" }, at: T0 },
  removeMember: {
    type: "removeMember",
    nodeId: OTHER,
    reason: "retired",
    actor: { kind: "api" },
    at: T0,
  },
  recordMembershipChange: {
    type: "recordMembershipChange",
    nodeId: OTHER,
    change: "promoted",
    reason: "the cluster keeps 5 voters",
    at: T0,
  },
  setBackupPassphrase: {
    type: "setBackupPassphrase",
    salt: Buffer.alloc(16, 7).toString("base64"),
    n: 2 ** 14,
    r: 8,
    p: 1,
    publicKey: wgKey(9300, 1),
    actor: { kind: "api" },
    at: T0,
  },
  claimBackupSlot: { type: "claimBackupSlot", slot: T0, at: T0 },
  acknowledgeUpdate: { type: "acknowledgeUpdate", updateId: 1, at: T0 },
  markUpdatesAnswered: { type: "markUpdatesAnswered", updates: [[1, 1]], at: T0 },
  reportTraffic: trafficReport(OTHER),
  setUserQuota: { type: "setUserQuota", userId: "10", quotaGb: 5, actor: { kind: "api" }, at: T0 },
  liftTrafficSuspension: {
    type: "liftTrafficSuspension",
    userId: "13",
    actor: { kind: "api" },
    at: T0,
  },
  startTrafficPeriod: { type: "startTrafficPeriod", periodStart: T0, at: T0 },
};

/** Every command type, as the command schema lists them. */
const commandTypes = controlPlaneCommandSchema.options.map((option) => option.shape.type.value);

function codeOf(result: ReturnType<ControlPlaneState["apply"]>): string {
  return result.ok ? "applied" : result.error.code;
}

/** Applies `input` forwarded by `forwardedBy` on a prepared state; the code, and whether the state changed. */
function forwardedOnPreparedState(input: object, forwardedBy: string) {
  const { state } = preparedState();
  const before = state.stateHash();
  const code = codeOf(state.apply(JSON.stringify(input), 1_000, forwardedBy));
  return { code, changed: state.stateHash() !== before };
}

test("every command type in the schema has a sample, and the leader's own process may propose each", () => {
  assert.equal(Object.keys(samples).sort(), [...commandTypes].sort());
  for (const type of commandTypes) {
    const { state } = preparedState();
    const result = state.apply(JSON.stringify(samples[type]), 1_000);
    assert.is(codeOf(result), "applied", `${type}: ${result.ok ? "" : result.error.message}`);
  }
});

test("every command but a node's reports about its own server, forwarded by a peer, is refused as FORWARDED_COMMAND_REFUSED and changes nothing", () => {
  const refusable = commandTypes.filter(
    (type) => !(OWN_SERVER_REPORTS as readonly string[]).includes(type),
  );
  assert.is(refusable.length, commandTypes.length - OWN_SERVER_REPORTS.length);
  for (const type of refusable) {
    const { code, changed } = forwardedOnPreparedState(samples[type], FORWARDER);
    assert.is(code, "FORWARDED_COMMAND_REFUSED", type);
    assert.not.ok(changed, `a refused ${type} changed the state`);
  }
});

test("a forwarded command about the forwarder's own server is refused too unless it is a report: a seized server cannot unban itself or record its own verdicts", () => {
  const ownCommands = [
    { ...samples.setServerStatus, serverId: FORWARDER, status: "active" },
    command.verdict(FORWARDER, 1, "ok"),
  ];
  for (const own of ownCommands) {
    const { code, changed } = forwardedOnPreparedState(own, FORWARDER);
    assert.is(code, "FORWARDED_COMMAND_REFUSED", own.type);
    assert.not.ok(changed, own.type);
  }
});

test("a node's forwarded reports about its own server are applied", () => {
  for (const type of OWN_SERVER_REPORTS) {
    const own = {
      ...samples[type],
      serverId: FORWARDER,
      ...(type === "registerServer" ? { publicKey: wgKey(9003, 1) } : {}),
      ...(type === "reportTraffic" ? trafficReport(FORWARDER) : {}),
    };
    const { code, changed } = forwardedOnPreparedState(own, FORWARDER);
    assert.is(code, "applied", type);
    assert.ok(changed, `${type} changed the state`);
  }
});

test("a forwarded report about another server is refused as NOT_OWN_SERVER and changes nothing", () => {
  for (const type of OWN_SERVER_REPORTS) {
    const { code, changed } = forwardedOnPreparedState(samples[type], FORWARDER);
    assert.is(code, "NOT_OWN_SERVER", type);
    assert.not.ok(changed, type);
  }
});

test("a forwarded registration on an empty state is the forwarder's own only", () => {
  const state = new ControlPlaneState();
  const registration = (serverId: string) => JSON.stringify(command.registerServer(serverId));
  assert.is(codeOf(state.apply(registration("n1"), 1, FORWARDER)), "NOT_OWN_SERVER");
  assert.is(state.server("n1"), undefined);
  assert.is(codeOf(state.apply(registration(FORWARDER), 2, FORWARDER)), "applied");
});

test.run();
