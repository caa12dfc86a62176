import { test } from "uvu";
import * as assert from "uvu/assert";
import { command, Fixture, T0 } from "./support/control-plane-fixture.ts";

const API = { kind: "api" } as const;

function twoServersWithAConfig(): Fixture {
  const fixture = new Fixture();
  // c1 lands on n2, the only server at the time.
  fixture.ok(command.registerServer("n2"));
  fixture.ok(command.upsertUser("10"));
  fixture.ok(command.issueConfig("c1", "10"));
  fixture.ok(command.registerServer("n1"));
  return fixture;
}

test("removing a member re-homes its users with fresh keys and tells them, as a ban does", () => {
  const fixture = twoServersWithAConfig();
  const keys = command.replacementKeys(["c1"]);
  const result = fixture.ok({
    type: "removeMember",
    nodeId: "n2",
    reason: "retired",
    actor: API,
    at: T0 + 1,
    replacementKeys: keys,
  });
  assert.is(result.rehome.rehomed.length, 1);
  assert.is(result.rehome.rehomed[0].serverId, "n1");
  assert.is(fixture.state.server("n2")!.status, "removed");
  assert.ok(fixture.state.memberRemoval("n2"));
  assert.ok(fixture.state.pendingOutbox().some((entry) => entry.kind === "serverChanged"));
});

test("a removed server never registers or changes status again; removing twice is a repeat", () => {
  const fixture = twoServersWithAConfig();
  fixture.ok({ type: "removeMember", nodeId: "n2", reason: "", actor: API, at: T0 });
  fixture.refused(command.registerServer("n2"), "MEMBER_REMOVED");
  fixture.refused(
    { type: "setServerStatus", serverId: "n2", status: "active", reason: "", actor: API, at: T0 },
    "MEMBER_REMOVED",
  );
  const again = fixture.ok({ type: "removeMember", nodeId: "n2", reason: "", actor: API, at: T0 });
  assert.is(again.rehome, null);
  fixture.refused(
    { type: "removeMember", nodeId: "n8", reason: "", actor: API, at: T0 },
    "UNKNOWN_MEMBER",
  );
});

test.run();
