import { test } from "uvu";
import * as assert from "uvu/assert";
import { API_ACTOR } from "../../../cluster/fsm/actors.ts";
import { command, Fixture, T0 } from "./support/control-plane-fixture.ts";

const ban = (
  serverId: string,
  replacementKeys: ReturnType<typeof command.replacementKeys>,
  fields = {},
) =>
  ({
    type: "setServerStatus",
    serverId,
    status: "banned",
    reason: "filtered in Tehran",
    actor: API_ACTOR,
    at: T0 + 100,
    replacementKeys,
    ...fields,
  }) as const;

const setStatus = (serverId: string, status: "active" | "draining") =>
  ({ type: "setServerStatus", serverId, status, reason: "", actor: API_ACTOR, at: T0 }) as const;

/** Servers n1 (capacity 10) and n2, n3 (given capacities); users 1 (admin), 10..; configs on n1. */
function fleet(otherCapacity: number, configsOnN1: number): Fixture {
  const fixture = new Fixture();
  fixture.ok({ type: "setSetting", key: "configsPerUser", value: "10", actor: API_ACTOR });
  fixture.ok(command.upsertUser("1", { role: "admin" }));
  fixture.ok(command.registerServer("n1", { capacity: 10 }));
  for (let i = 0; i < configsOnN1; i++) {
    fixture.ok(command.upsertUser(String(10 + i)));
    fixture.ok(command.issueConfig(`c${i}`, String(10 + i)));
  }
  fixture.ok(command.registerServer("n2", { capacity: otherCapacity }));
  fixture.ok(command.registerServer("n3", { capacity: otherCapacity }));
  return fixture;
}

test("the proposer learns which configs need replacement keys, sorted", () => {
  const fixture = fleet(10, 3);
  assert.equal(fixture.state.replacementKeysNeeded("n1"), ["c0", "c1", "c2"]);
  assert.equal(fixture.state.replacementKeysNeeded("n2"), []);
});

test("a ban re-homes every live config on a healthy server and notifies each user", () => {
  const fixture = fleet(10, 4);
  fixture.ok(command.revokeConfig("c3"));
  const keys = command.replacementKeys(fixture.state.replacementKeysNeeded("n1"));
  const result = fixture.ok(ban("n1", keys));
  assert.equal(
    result.rehome.rehomed.map((move: { from: string; to: string }) => [move.from, move.to]),
    [
      ["c0", "c0-r"],
      ["c1", "c1-r"],
      ["c2", "c2-r"],
    ],
  );
  assert.equal(result.rehome.withoutCapacity, []);
  assert.equal(fixture.state.liveConfigsOfServer("n1"), []);
  assert.equal(fixture.state.desiredPeers("n1"), [], "the banned server drops every peer");

  for (const [i, key] of keys.entries()) {
    const old = fixture.state.config(`c${i}`)!;
    const fresh = fixture.state.config(key.configId)!;
    assert.equal(
      [old.revokedAt, old.revokeReason, old.replacedBy],
      [T0 + 100, "server_banned", key.configId],
    );
    assert.ok(["n2", "n3"].includes(fresh.serverId));
    assert.equal(
      [fresh.userId, fresh.clientPublicKey, fresh.protocol, fresh.expiresAt, fresh.revokedAt],
      [old.userId, key.clientPublicKey, old.protocol, old.expiresAt, null],
    );
  }
  // Placement spreads them: least loaded first, ties by id.
  assert.equal(
    keys.map((key) => fixture.state.config(key.configId)!.serverId),
    ["n2", "n3", "n2"],
  );
  const changed = fixture.state.pendingOutbox().filter((entry) => entry.kind === "serverChanged");
  assert.equal(
    changed.map((entry) => [entry.chatId, entry.payload.configId, entry.payload.previousConfigId]),
    [
      ["10", "c0-r", "c0"],
      ["11", "c1-r", "c1"],
      ["12", "c2-r", "c2"],
    ],
  );
  const alerts = fixture.state.pendingOutbox().filter((entry) => entry.kind === "adminAlert");
  assert.equal(
    alerts.map((entry) => [entry.chatId, entry.payload.rehomed, entry.payload.withoutCapacity]),
    [["1", 3, 0]],
  );
});

test("an automatic ban re-homes with the keys the verdict carries", () => {
  const fixture = fleet(10, 2);
  fixture.ok(command.verdict("n1", 1, "filtered"));
  fixture.ok(command.verdict("n1", 2, "filtered"));
  const keys = command.replacementKeys(fixture.state.replacementKeysNeeded("n1"));
  const third = fixture.ok(command.verdict("n1", 3, "filtered", { replacementKeys: keys }));
  assert.is(third.rehome.rehomed.length, 2);
  assert.is(fixture.state.config("c0")!.replacedBy, "c0-r");
  assert.is(fixture.state.config("c0-r")!.serverId, "n2");
});

test("no healthy capacity: the config is revoked, the user told honestly, admins alerted once", () => {
  const fixture = fleet(1, 4);
  fixture.ok(command.upsertUser("2", { role: "admin" }));
  const keys = command.replacementKeys(fixture.state.replacementKeysNeeded("n1"));
  const result = fixture.ok(ban("n1", keys));
  assert.equal(
    result.rehome.rehomed.map((move: { from: string }) => move.from),
    ["c0", "c1"],
  );
  assert.equal(result.rehome.withoutCapacity, ["c2", "c3"]);
  assert.equal(
    [fixture.state.config("c2")!.revokeReason, fixture.state.config("c2")!.replacedBy],
    ["no_capacity", null],
  );
  const outbox = fixture.state.pendingOutbox();
  assert.equal(
    outbox
      .filter((entry) => entry.kind === "noCapacity")
      .map((entry) => [entry.chatId, entry.payload.configId]),
    [
      ["12", "c2"],
      ["13", "c3"],
    ],
  );
  const alerts = outbox.filter((entry) => entry.kind === "adminAlert");
  assert.equal(
    alerts.map((entry) => [entry.chatId, entry.payload.withoutCapacity]),
    [
      ["1", 2],
      ["2", 2],
    ],
  );
});

test("configs issued after the keys were generated are revoked as rehome_pending and their users told", () => {
  const fixture = fleet(10, 2);
  const keys = command.replacementKeys(fixture.state.replacementKeysNeeded("n1"));
  // With n2 and n3 draining, the next config lands on n1 after the keys were made.
  fixture.ok(setStatus("n2", "draining"));
  fixture.ok(setStatus("n3", "draining"));
  fixture.ok(command.upsertUser("30"));
  assert.is(fixture.ok(command.issueConfig("c9", "30")).serverId, "n1");
  fixture.ok(setStatus("n2", "active"));
  const result = fixture.ok(ban("n1", keys));
  assert.equal(
    result.rehome.rehomed.map((move: { from: string }) => move.from),
    ["c0", "c1"],
  );
  assert.equal(result.rehome.pending, ["c9"]);
  assert.is(fixture.state.config("c9")!.revokeReason, "rehome_pending");
  const told = fixture.state.pendingOutbox().filter((entry) => entry.kind === "configRevoked");
  assert.equal(
    told.map((entry) => [entry.chatId, entry.payload.configId, entry.payload.reason]),
    [["30", "c9", "rehome_pending"]],
  );
});

test("extra keys (a config was revoked in between) are simply unused", () => {
  const fixture = fleet(10, 2);
  const keys = command.replacementKeys(fixture.state.replacementKeysNeeded("n1"));
  fixture.ok(command.revokeConfig("c0"));
  const result = fixture.ok(ban("n1", keys));
  assert.equal(
    result.rehome.rehomed.map((move: { from: string; to: string }) => [move.from, move.to]),
    [["c1", "c0-r"]],
  );
});

test("replacement keys that clash are refused and the ban does not happen", () => {
  const fixture = fleet(10, 2);
  const keys = command.replacementKeys(["c0", "c1"]);
  fixture.refused(ban("n1", [{ ...keys[0]!, configId: "c1" }, keys[1]!]), "DUPLICATE_CONFIG_ID");
  fixture.refused(
    ban("n1", [keys[0]!, { ...keys[1]!, configId: keys[0]!.configId }]),
    "DUPLICATE_CONFIG_ID",
  );
  fixture.refused(
    ban("n1", [keys[0]!, { ...keys[1]!, clientPublicKey: keys[0]!.clientPublicKey }]),
    "DUPLICATE_PUBLIC_KEY",
  );
  const liveKey = fixture.state.config("c0")!.clientPublicKey;
  fixture.refused(
    ban("n1", [{ ...keys[0]!, clientPublicKey: liveKey }, keys[1]!]),
    "DUPLICATE_PUBLIC_KEY",
  );
  assert.is(fixture.state.server("n1")!.status, "active");
});

test("the new config gets the lowest free address on its new server", () => {
  const fixture = fleet(10, 1);
  fixture.ok(setStatus("n1", "draining"));
  fixture.ok(setStatus("n3", "draining"));
  fixture.ok(command.upsertUser("40"));
  const x1 = fixture.ok(command.issueConfig("x1", "40"));
  const x2 = fixture.ok(command.issueConfig("x2", "40"));
  assert.equal([x1.serverId, x2.serverId], ["n2", "n2"]);
  fixture.ok(command.revokeConfig("x1"));
  fixture.ok(ban("n1", command.replacementKeys(["c0"])));
  const fresh = fixture.state.config("c0-r")!;
  assert.equal([fresh.serverId, fresh.address], ["n2", x1.address], "x1's freed address is reused");
});

test.run();
