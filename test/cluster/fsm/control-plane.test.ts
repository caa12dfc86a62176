import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { API_ACTOR } from "../../../cluster/fsm/actors.ts";
import { ControlPlaneState } from "../../../cluster/fsm/control-plane.ts";
import { RESULTS_KEPT } from "../../../cluster/fsm/handled-updates.ts";
import { commandArbitrary } from "../../../scripts/simulation/command-arbitrary.ts";
import { command, Fixture, T0 } from "./support/control-plane-fixture.ts";

test("commands that are not JSON, of unknown type, or with unknown fields are refused", () => {
  const fixture = new Fixture();
  fixture.refused("{not json", "INVALID_COMMAND");
  fixture.refused("42", "INVALID_COMMAND");
  fixture.refused({ type: "launchMissiles", at: T0 }, "INVALID_COMMAND");
  fixture.refused(
    { type: "setSetting", key: "a", value: "b", extra: true, actor: API_ACTOR },
    "INVALID_COMMAND",
  );
  fixture.refused({ type: "expireConfigs", at: -1 }, "INVALID_COMMAND");
  fixture.refused({ type: "expireConfigs", at: 1.5 }, "INVALID_COMMAND");
  const result = fixture.apply({
    type: "setSetting",
    key: "bad key!",
    value: "x",
    actor: API_ACTOR,
  });
  assert.ok(!result.ok && /^key: /.test(result.error.message), "the message names the field");
});

test("settings keep their original contract: free-form keys, raw reads, sorted listing", () => {
  const fixture = new Fixture();
  assert.equal(fixture.state.allSettings(), {});
  fixture.ok({ type: "setSetting", key: "zeta", value: "1", actor: API_ACTOR });
  fixture.ok({ type: "setSetting", key: "alpha", value: "2", actor: API_ACTOR });
  assert.equal(Object.keys(fixture.state.allSettings()), ["alpha", "zeta"]);
  assert.is(fixture.state.getSetting("zeta"), "1");
  assert.is(fixture.state.getSetting("configsPerUser"), undefined);
  assert.is(fixture.state.setting("configsPerUser"), "3");
  fixture.refused(
    { type: "setSetting", key: "accessMode", value: "closed", actor: API_ACTOR },
    "INVALID_SETTING",
  );
});

test("a repeated Telegram update returns the first result and changes nothing", () => {
  const fixture = new Fixture();
  fixture.ok(command.registerServer("n1"));
  fixture.ok(command.upsertUser("10", { updateId: 500 }));
  const first = fixture.apply(command.issueConfig("c1", "10", { updateId: 501 }));
  assert.ok(first.ok);
  const before = fixture.state.stateHash();
  // After a failover the new leader proposes the same update with fresh keys and id.
  const again = fixture.apply(command.issueConfig("c2", "10", { updateId: 501 }));
  assert.equal(again, { ok: true, value: first.ok && first.value, duplicate: true });
  assert.is(fixture.state.stateHash(), before);
  assert.equal(
    fixture.state.configsOfUser("10").map((config) => config.id),
    ["c1"],
  );
  // Another kind of command for an update already handled does nothing, and
  // has no result of its kind to give: the first result belongs to issueConfig.
  const other = fixture.apply(command.revokeConfig("c1", { updateId: 501 }));
  assert.equal(other, { ok: true, value: undefined, duplicate: true });
  assert.is(fixture.state.config("c1")!.revokedAt, null);
});

test("a refused update is not remembered: a redelivery is evaluated afresh", () => {
  const fixture = new Fixture();
  fixture.ok(command.upsertUser("10"));
  fixture.refused(command.issueConfig("c1", "10", { updateId: 7 }), "NO_CAPACITY");
  fixture.ok(command.registerServer("n1"));
  const retry = fixture.apply(command.issueConfig("c1", "10", { updateId: 7 }));
  assert.ok(retry.ok && !retry.duplicate);
});

test("the update offset is the highest handled id, even when ids commit out of order", () => {
  const fixture = new Fixture();
  fixture.ok(command.upsertUser("10", { updateId: 105 }));
  fixture.ok(command.upsertUser("11", { updateId: 103 }));
  assert.is(fixture.state.updateOffset(), 105);
  const late = fixture.apply(command.upsertUser("12", { updateId: 104 }));
  assert.ok(late.ok && !late.duplicate, "104 was never handled, so it is acted on");
  fixture.ok({ type: "acknowledgeUpdate", updateId: 110, at: T0 });
  assert.is(fixture.state.updateOffset(), 110);
  const acknowledgedAgain = fixture.apply({ type: "acknowledgeUpdate", updateId: 110, at: T0 });
  assert.ok(acknowledgedAgain.ok && acknowledgedAgain.duplicate);
});

test("an update older than the remembered window is refused rather than risk acting twice", () => {
  const fixture = new Fixture();
  for (let updateId = 1; updateId <= RESULTS_KEPT + 2; updateId++)
    fixture.ok({ type: "acknowledgeUpdate", updateId, at: T0 });
  fixture.refused(command.upsertUser("10", { updateId: 2 }), "UPDATE_TOO_OLD");
  const recent = fixture.apply(command.upsertUser("10", { updateId: RESULTS_KEPT + 2 }));
  assert.ok(recent.ok && recent.duplicate);
  fixture.ok(command.upsertUser("10", { updateId: RESULTS_KEPT + 3 }));
});

test("reply messages sent are counted only for a handled update, only upwards, and forgotten with its result", () => {
  const fixture = new Fixture();
  fixture.ok(command.upsertUser("10", { updateId: 1 }));
  const marked = fixture.apply({
    type: "markUpdatesAnswered",
    updates: [
      [1, 2],
      [2, 1],
    ],
    at: T0,
  });
  assert.ok(marked.ok);
  assert.equal(marked.value, { marked: 1 }, "2 was never handled, so nothing is counted for it");
  assert.is(fixture.state.repliesSent(1), 2);
  assert.is(fixture.state.repliesSent(2), 0);
  const late = fixture.apply({ type: "markUpdatesAnswered", updates: [[1, 1]], at: T0 });
  assert.ok(late.ok);
  assert.equal(late.value, { marked: 0 }, "a smaller count arriving late changes nothing");
  assert.is(fixture.state.repliesSent(1), 2);
  fixture.ok({ type: "markUpdatesAnswered", updates: [[1, 3]], at: T0 });
  assert.is(fixture.state.repliesSent(1), 3);
  for (let updateId = 2; updateId <= RESULTS_KEPT + 1; updateId++)
    fixture.ok({ type: "acknowledgeUpdate", updateId, at: T0 });
  assert.is(fixture.state.repliesSent(1), 0, "1 left the remembered window");
});

test("queries hand out copies: changing them does not change the state", () => {
  const fixture = new Fixture();
  fixture.ok(command.registerServer("n1"));
  fixture.ok(command.upsertUser("10"));
  fixture.ok(command.issueConfig("c1", "10"));
  fixture.ok(command.verdict("n1", 1, "ok"));
  const before = fixture.state.stateHash();
  const server = fixture.state.server("n1")!;
  server.status = "banned";
  server.checks.recent[0]!.verdict = "filtered";
  fixture.state.config("c1")!.address = "1.2.3.4";
  fixture.state.user("10")!.status = "blocked";
  fixture.state.configsOfUser("10")[0]!.revokedAt = 1;
  fixture.state.pendingOutbox().forEach((entry) => {
    entry.status = "delivered";
  });
  assert.is(fixture.state.stateHash(), before);
});

test("counts summarise the state", () => {
  const fixture = new Fixture();
  fixture.ok(command.registerServer("n1"));
  fixture.ok(command.registerServer("n2"));
  fixture.ok(command.upsertUser("10"));
  fixture.ok(command.upsertUser("11"));
  fixture.ok(command.issueConfig("c1", "10"));
  fixture.ok(command.issueConfig("c2", "11"));
  fixture.ok(command.revokeConfig("c1"));
  fixture.ok({
    type: "setServerStatus",
    serverId: "n2",
    status: "banned",
    reason: "",
    actor: API_ACTOR,
    at: T0,
    replacementKeys: command.replacementKeys(["c2"]),
  });
  assert.equal(fixture.state.counts(), {
    servers: 2,
    bannedServers: 1,
    users: 2,
    liveConfigs: 1,
    pendingOutbox: 1,
  });
});

/** Applies commands from index 1; returns every result. */
function applyAll(
  state: ControlPlaneState,
  commands: readonly object[],
  firstIndex = 1,
): unknown[] {
  return commands.map((item, offset) => state.apply(JSON.stringify(item), firstIndex + offset));
}

test("determinism: the same commands give the same state hash and the same results on two nodes", () => {
  fc.assert(
    fc.property(fc.array(commandArbitrary, { minLength: 1, maxLength: 80 }), (commands) => {
      const left = new ControlPlaneState();
      const right = new ControlPlaneState();
      assert.equal(applyAll(left, commands), applyAll(right, commands));
      assert.is(left.stateHash(), right.stateHash());
    }),
    { numRuns: 150 },
  );
});

test("determinism: a node restored from a snapshot midway continues exactly like one that never stopped", () => {
  fc.assert(
    fc.property(
      fc.array(commandArbitrary, { maxLength: 60 }),
      fc.array(commandArbitrary, { maxLength: 60 }),
      (before, after) => {
        const steady = new ControlPlaneState();
        applyAll(steady, before);
        const snapshot = steady.snapshot();
        const restored = new ControlPlaneState();
        restored.restore(snapshot);
        assert.is(
          restored.stateHash(),
          steady.stateHash(),
          "restore(snapshot()) has the same hash",
        );
        assert.is(restored.snapshot(), snapshot);
        assert.equal(
          applyAll(restored, after, before.length + 1),
          applyAll(steady, after, before.length + 1),
        );
        assert.is(restored.stateHash(), steady.stateHash());
      },
    ),
    { numRuns: 150 },
  );
});

test("the random command mix reaches the interesting states (so the properties above mean something)", () => {
  const seen = new Set<string>();
  fc.assert(
    fc.property(fc.array(commandArbitrary, { minLength: 40, maxLength: 80 }), (commands) => {
      const state = new ControlPlaneState();
      const results = applyAll(state, commands) as Array<{
        ok: boolean;
        duplicate?: boolean;
        error?: { code: string };
      }>;
      for (const result of results) {
        seen.add(result.ok ? (result.duplicate ? "duplicate" : "ok") : result.error!.code);
      }
      if (state.counts().bannedServers > 0) seen.add("banned");
      if (state.servers().some((server) => server.liveConfigs > 0)) seen.add("live configs");
    }),
    { numRuns: 100, seed: 7 },
  );
  for (const expected of [
    "ok",
    "duplicate",
    "banned",
    "live configs",
    "NO_CAPACITY",
    "CONFIG_LIMIT_REACHED",
    "UNKNOWN_USER",
    "NOT_AN_ADMIN",
    "PROTOCOL_NOT_OFFERED",
    "BAD_SERVER_KEY_SIGNATURE",
    "NODE_ID_TAKEN",
    "TRAFFIC_REPORT_INVALID",
    "NOT_SUSPENDED",
    "INVALID_PERIOD",
    "INVALID_BACKUP_KEY",
    "BACKUP_SLOT_TAKEN",
  ])
    assert.ok(seen.has(expected), `random sequences reach ${expected}`);
});

test.run();
