import { test } from "uvu";
import * as assert from "uvu/assert";
import { ControlPlaneState } from "../../../cluster/fsm/control-plane.ts";
import { command, Fixture, T0 } from "./support/control-plane-fixture.ts";

const digest = (fill: string) => fill.repeat(64);
const issue = (userId: string, tokenSha256: string, replace: boolean, at = T0) => ({
  type: "issueSubscription" as const,
  userId,
  tokenSha256,
  tokenSealed: `sealed-${tokenSha256.slice(0, 4)}`,
  replace,
  at,
});

function withUsers(): Fixture {
  const fixture = new Fixture();
  fixture.ok(command.upsertUser("10"));
  fixture.ok(command.upsertUser("11"));
  return fixture;
}

test("a first issue creates the user's subscription; a second one without replace keeps it", () => {
  const fixture = withUsers();
  assert.equal(fixture.ok(issue("10", digest("a"), false)), {
    userId: "10",
    tokenSha256: digest("a"),
    issuedAt: T0,
    created: true,
  });
  assert.equal(fixture.ok(issue("10", digest("b"), false, T0 + 5)), {
    userId: "10",
    tokenSha256: digest("a"),
    issuedAt: T0,
    created: false,
  });
  assert.is(fixture.state.userIdOfSubscriptionDigest(digest("a")), "10");
  assert.is(fixture.state.userIdOfSubscriptionDigest(digest("b")), undefined);
});

test("a reset replaces the token: the old one finds nobody, the new one the user", () => {
  const fixture = withUsers();
  fixture.ok(issue("10", digest("a"), false));
  fixture.ok(issue("10", digest("b"), true, T0 + 5));
  assert.is(fixture.state.userIdOfSubscriptionDigest(digest("a")), undefined);
  assert.is(fixture.state.userIdOfSubscriptionDigest(digest("b")), "10");
  assert.equal(fixture.state.subscriptionOf("10"), {
    userId: "10",
    tokenSha256: digest("b"),
    tokenSealed: "sealed-bbbb",
    issuedAt: T0 + 5,
  });
});

test("an unknown user, a digest another user holds, or a malformed digest is refused and changes nothing", () => {
  const fixture = withUsers();
  fixture.ok(issue("10", digest("a"), false));
  fixture.refused(issue("12", digest("c"), false), "UNKNOWN_USER");
  fixture.refused(issue("11", digest("a"), true), "DUPLICATE_TOKEN");
  fixture.refused(issue("11", "A".repeat(64), true), "INVALID_COMMAND");
  fixture.refused({ ...issue("11", digest("d"), true), tokenSealed: "" }, "INVALID_COMMAND");
});

test("subscriptions survive a snapshot, and a snapshot from before them loads with none", () => {
  const fixture = withUsers();
  fixture.ok(issue("10", digest("a"), false));
  const restored = new ControlPlaneState();
  restored.restore(fixture.state.snapshot());
  assert.is(restored.stateHash(), fixture.state.stateHash());
  assert.is(restored.userIdOfSubscriptionDigest(digest("a")), "10");
  const older = JSON.parse(fixture.state.snapshot()) as Record<string, unknown>;
  delete older.subscriptions;
  const fromOlder = new ControlPlaneState();
  fromOlder.restore(JSON.stringify(older));
  assert.is(fromOlder.subscriptionOf("10"), undefined);
  assert.is(fromOlder.user("10")?.id, "10");
});

test.run();
