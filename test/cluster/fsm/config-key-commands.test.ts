/**
 * The custody of a config's keys in the replicated state: the delivery copy
 * lives until the user has the config (or the undelivered-key bound), the
 * server copy is what the server installs, and "download again" re-keys.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { command, Fixture, T0, wgKey } from "./support/control-plane-fixture.ts";

function issuedOne(): { fixture: Fixture; serverKey: string; clientKey: string } {
  const fixture = new Fixture();
  fixture.ok(command.registerServer("n1"));
  fixture.ok(command.upsertUser("10"));
  const config = fixture.ok(command.issueConfig("c1", "10"));
  return {
    fixture,
    serverKey: fixture.state.server("n1")!.publicKey,
    clientKey: config.clientPublicKey,
  };
}

function sealItem(configId: string, clientPublicKey: string, serverPublicKey: string) {
  return { configId, clientPublicKey, serverPublicKey, sealed: `to-server-${configId}` };
}

test("a new config holds its delivery keys and waits for its server copy; its server has no peer yet", () => {
  const { fixture } = issuedOne();
  const config = fixture.state.config("c1")!;
  assert.is(config.deliveryKeysSealed, "sealed-c1");
  assert.is(config.serverPresharedKeySealed, null);
  assert.equal(
    fixture.state.configsWithoutServerCopy().map((c) => c.id),
    ["c1"],
  );
  assert.equal(fixture.state.desiredPeers("n1"), []);
});

test("the server copy makes the peer appear on its server, with the preshared key sealed to it", () => {
  const { fixture, serverKey, clientKey } = issuedOne();
  const result = fixture.ok({
    type: "sealServerPresharedKeys",
    items: [sealItem("c1", clientKey, serverKey)],
    at: T0 + 1,
  });
  assert.equal(result, { sealed: 1, erased: 0 });
  assert.equal(fixture.state.desiredPeers("n1"), [
    {
      publicKey: clientKey,
      presharedKeySealed: "to-server-c1",
      address: "10.64.0.2",
      kind: "client",
    },
  ]);
  assert.equal(fixture.state.configsWithoutServerCopy(), []);
});

test("delivery erases the delivery copy at once when the server copy exists", () => {
  const { fixture } = issuedOne();
  fixture.sealForServers();
  const result = fixture.ok({
    type: "eraseConfigKeys",
    configIds: ["c1"],
    reason: "delivered",
    at: T0 + 5,
  });
  assert.equal(result, { erased: ["c1"], waiting: [], revoked: [] });
  const config = fixture.state.config("c1")!;
  assert.is(config.deliveryKeysSealed, null);
  assert.is(config.keysErasedAt, T0 + 5);
  assert.is(config.keysErasedReason, "delivered");
  assert.equal(fixture.state.configsWithDeliveryKeys(), []);
  // The peer stays: the server has its own copy.
  assert.is(fixture.state.desiredPeers("n1").length, 1);
});

test("a delivery confirmed before the server copy is sealed erases the keys the moment it is", () => {
  const { fixture, serverKey, clientKey } = issuedOne();
  const result = fixture.ok({
    type: "eraseConfigKeys",
    configIds: ["c1"],
    reason: "delivered",
    at: T0 + 5,
  });
  assert.equal(result, { erased: [], waiting: ["c1"], revoked: [] });
  assert.is(
    fixture.state.config("c1")!.deliveryKeysSealed,
    "sealed-c1",
    "kept for the server copy",
  );
  assert.equal(
    fixture.ok({
      type: "sealServerPresharedKeys",
      items: [sealItem("c1", clientKey, serverKey)],
      at: T0 + 6,
    }),
    { sealed: 1, erased: 1 },
  );
  assert.is(fixture.state.config("c1")!.deliveryKeysSealed, null);
  assert.is(fixture.state.config("c1")!.keysErasedReason, "delivered");
});

test("undelivered keys past the bound are erased; one never sealed for its server is revoked and its user told", () => {
  const { fixture, serverKey, clientKey } = issuedOne();
  fixture.ok(command.issueConfig("c2", "10"));
  fixture.ok({
    type: "sealServerPresharedKeys",
    items: [sealItem("c1", clientKey, serverKey)],
    at: T0,
  });
  const result = fixture.ok({
    type: "eraseConfigKeys",
    configIds: ["c1", "c2"],
    reason: "expired",
    at: T0 + 15 * 60_000,
  });
  assert.equal(result, { erased: ["c1"], waiting: [], revoked: ["c2"] });
  assert.is(fixture.state.config("c1")!.keysErasedReason, "expired");
  const c2 = fixture.state.config("c2")!;
  assert.is(c2.revokeReason, "keys_expired");
  assert.is(c2.deliveryKeysSealed, null);
  assert.ok(
    fixture.state
      .pendingOutbox()
      .some((entry) => entry.kind === "configRevoked" && entry.payload.configId === "c2"),
  );
});

test("a server copy sealed for keys that changed since is skipped, never stored", () => {
  const { fixture, serverKey, clientKey } = issuedOne();
  const before = fixture.state.stateHash();
  const stale = fixture.ok({
    type: "sealServerPresharedKeys",
    items: [
      sealItem("c1", wgKey(999, 3), serverKey),
      sealItem("c1", clientKey, wgKey(998, 3)),
      sealItem("nope", clientKey, serverKey),
    ],
    at: T0,
  });
  assert.equal(stale, { sealed: 0, erased: 0 });
  assert.is(fixture.state.stateHash(), before);
});

test("download again: a new key pair on the same server and address, the old peer gone, keys held anew", () => {
  const { fixture, clientKey } = issuedOne();
  fixture.sealForServers();
  fixture.ok({ type: "eraseConfigKeys", configIds: ["c1"], reason: "delivered", at: T0 + 1 });
  const newKey = wgKey(500, 3);
  const rekeyed = fixture.ok({
    type: "rekeyConfig",
    configId: "c1",
    userId: "10",
    clientPublicKey: newKey,
    deliveryKeysSealed: "sealed-again",
    at: T0 + 60_000,
  });
  assert.is(rekeyed.clientPublicKey, newKey);
  assert.is(rekeyed.address, "10.64.0.2");
  assert.is(rekeyed.serverId, "n1");
  assert.is(rekeyed.deliveryKeysSealed, "sealed-again");
  assert.is(rekeyed.keysIssuedAt, T0 + 60_000);
  assert.is(rekeyed.keysErasedAt, null);
  assert.is(rekeyed.serverPresharedKeySealed, null);
  assert.equal(
    fixture.state.desiredPeers("n1"),
    [],
    "the old peer leaves; the new one waits for its copy",
  );
  // The old key is free again, the new one taken.
  fixture.ok(command.issueConfig("c2", "10", { clientPublicKey: clientKey }));
  fixture.refused(
    command.issueConfig("c3", "10", { clientPublicKey: newKey }),
    "DUPLICATE_PUBLIC_KEY",
  );
});

test("download again is refused for someone else's config, a revoked one, or a key in use", () => {
  const { fixture } = issuedOne();
  fixture.ok(command.upsertUser("11"));
  const rekey = (fields: object) => ({
    type: "rekeyConfig",
    configId: "c1",
    clientPublicKey: wgKey(700, 3),
    deliveryKeysSealed: "sealed-again",
    at: T0,
    ...fields,
  });
  fixture.refused(rekey({ userId: "11" }), "NOT_OWNER");
  fixture.refused(rekey({ configId: "nope" }), "UNKNOWN_CONFIG");
  fixture.refused(
    rekey({ clientPublicKey: fixture.state.server("n1")!.publicKey }),
    "DUPLICATE_PUBLIC_KEY",
  );
  fixture.refused(rekey({ deliveryKeysSealed: "" }), "INVALID_COMMAND");
  fixture.ok(command.revokeConfig("c1"));
  fixture.refused(rekey({}), "CONFIG_ALREADY_REVOKED");
});

test("revoking a config drops both copies of its keys", () => {
  const { fixture } = issuedOne();
  fixture.sealForServers();
  fixture.ok(command.revokeConfig("c1"));
  const config = fixture.state.config("c1")!;
  assert.is(config.deliveryKeysSealed, null);
  assert.is(config.keysErasedReason, "revoked");
  assert.is(config.serverPresharedKeySealed, null);
  assert.equal(fixture.state.configsWithDeliveryKeys(), []);
  assert.equal(fixture.state.configsWithoutServerCopy(), []);
});

test("delivering a re-home notice erases the new config's delivery keys", () => {
  const fixture = new Fixture();
  fixture.ok(command.registerServer("n1"));
  fixture.ok(command.registerServer("n2"));
  fixture.ok(command.upsertUser("10"));
  const old = fixture.ok(command.issueConfig("c1", "10"));
  fixture.ok({
    type: "setServerStatus",
    serverId: old.serverId,
    status: "banned",
    reason: "blocked",
    actor: { kind: "api" },
    at: T0 + 1,
    replacementKeys: [
      { configId: "r1", clientPublicKey: wgKey(800, 3), deliveryKeysSealed: "sealed-r1" },
    ],
  });
  const notice = fixture.state.pendingOutbox().find((entry) => entry.kind === "serverChanged")!;
  assert.is(notice.payload.configId, "r1");
  const r1 = fixture.state.config("r1")!;
  fixture.ok({
    type: "sealServerPresharedKeys",
    items: [sealItem("r1", r1.clientPublicKey, fixture.state.server(r1.serverId)!.publicKey)],
    at: T0 + 2,
  });
  fixture.ok({ type: "markOutboxDelivered", id: notice.id, at: T0 + 3 });
  assert.is(fixture.state.config("r1")!.deliveryKeysSealed, null);
  assert.is(fixture.state.config("r1")!.keysErasedReason, "delivered");
});

test("key custody survives a snapshot: held keys, waiting deliveries and the indexes come back alike", () => {
  const { fixture, serverKey, clientKey } = issuedOne();
  fixture.ok(command.issueConfig("c2", "10"));
  fixture.ok({ type: "eraseConfigKeys", configIds: ["c2"], reason: "delivered", at: T0 + 1 });
  fixture.ok({
    type: "sealServerPresharedKeys",
    items: [sealItem("c1", clientKey, serverKey)],
    at: T0 + 2,
  });
  const restored = new Fixture();
  restored.state.restore(fixture.state.snapshot());
  assert.is(restored.state.stateHash(), fixture.state.stateHash());
  assert.equal(restored.state.configsWithDeliveryKeys(), fixture.state.configsWithDeliveryKeys());
  assert.equal(restored.state.configsWithoutServerCopy(), fixture.state.configsWithoutServerCopy());
  assert.is(restored.state.config("c2")!.deliveredAt, T0 + 1);
});

test.run();
