import { test } from "uvu";
import * as assert from "uvu/assert";
import { ControlPlaneState } from "../../../cluster/fsm/control-plane.ts";
import { generateNodeIdentity } from "../../../cluster/identity/node-identity.ts";
import { Fixture, T0 } from "./support/control-plane-fixture.ts";

const keyA = generateNodeIdentity().publicKey;
const keyB = generateNodeIdentity().publicKey;
const keyC = generateNodeIdentity().publicKey;

const pin = (nodeId: string, publicKey: string) =>
  ({ type: "pinNodeKey", nodeId, publicKey, actor: "n1", at: T0 }) as const;
const replace = (nodeId: string, publicKey: string) =>
  ({
    type: "replaceNodeKey",
    nodeId,
    publicKey,
    actor: "admin-api",
    reason: "disk lost",
    at: T0 + 1,
  }) as const;
const revoke = (nodeId: string) =>
  ({ type: "revokeNodeKey", nodeId, actor: "admin-api", reason: "seized", at: T0 + 2 }) as const;

test("a first-contact key is pinned once; the same key again changes nothing", () => {
  const fixture = new Fixture();
  assert.is(fixture.ok(pin("n2", keyA)).created, true);
  assert.is(fixture.ok(pin("n2", keyA)).created, false);
  assert.is(fixture.state.pinnedKeyOf("n2"), keyA);
  assert.is(fixture.state.nodeIdOfKey(keyA), "n2");
});

test("another key for a pinned member takes an admin: pinNodeKey is refused", () => {
  const fixture = new Fixture();
  fixture.ok(pin("n2", keyA));
  fixture.refused(pin("n2", keyB), "NODE_KEY_PINNED");
  assert.is(fixture.state.pinnedKeyOf("n2"), keyA);
});

test("one key belongs to one member", () => {
  const fixture = new Fixture();
  fixture.ok(pin("n2", keyA));
  fixture.refused(pin("n3", keyA), "NODE_KEY_IN_USE");
  fixture.refused(replace("n3", keyA), "NODE_KEY_IN_USE");
});

test("an admin's re-admission pins the new key and revokes the old one for good", () => {
  const fixture = new Fixture();
  fixture.ok(pin("n2", keyA));
  const replaced = fixture.ok(replace("n2", keyB));
  assert.is(replaced.nodeKey.admittedBy, "admin");
  assert.is(replaced.revokedKey?.publicKey, keyA);
  assert.is(fixture.state.pinnedKeyOf("n2"), keyB);
  assert.ok(fixture.state.isRevokedKey(keyA));
  fixture.refused(replace("n2", keyA), "NODE_KEY_REVOKED");
  fixture.refused(pin("n4", keyA), "NODE_KEY_REVOKED");
});

test("a revoked member has no key, its key never comes back under any id, and only an admin gives it a new one", () => {
  const fixture = new Fixture();
  fixture.ok(pin("n3", keyC));
  assert.is(fixture.ok(revoke("n3")).revokedKey.reason, "seized");
  assert.is(fixture.state.pinnedKeyOf("n3"), undefined);
  fixture.refused(revoke("n3"), "UNKNOWN_NODE_KEY");
  fixture.refused(pin("n3", keyC), "NODE_KEY_REVOKED");
  fixture.refused(pin("n5", keyC), "NODE_KEY_REVOKED");
  assert.ok(fixture.state.isRevokedNode("n3"));
  fixture.refused(pin("n3", keyA), "NODE_KEY_REVOKED");
  assert.is(fixture.ok(replace("n3", keyA)).nodeKey.admittedBy, "admin");
  assert.not.ok(fixture.state.isRevokedNode("n3"));
});

test("a malformed key is refused before apply looks at it", () => {
  const fixture = new Fixture();
  fixture.refused({ ...pin("n2", keyA), publicKey: "not-a-key" }, "INVALID_COMMAND");
});

test("pins and revocations survive a snapshot, and each change moves the key generation", () => {
  const fixture = new Fixture();
  const before = fixture.state.nodeKeyGeneration;
  fixture.ok(pin("n2", keyA));
  fixture.ok(replace("n2", keyB));
  assert.is(fixture.state.nodeKeyGeneration, before + 2);
  fixture.refused(pin("n2", keyC), "NODE_KEY_PINNED");
  assert.is(fixture.state.nodeKeyGeneration, before + 2, "a refusal changes nothing");
  const restored = new ControlPlaneState();
  restored.restore(fixture.state.snapshot());
  assert.equal(restored.nodeKeys(), fixture.state.nodeKeys());
  assert.equal(restored.revokedNodeKeys(), fixture.state.revokedNodeKeys());
  assert.is(restored.stateHash(), fixture.state.stateHash());
});

test.run();
