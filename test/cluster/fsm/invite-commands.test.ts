import { test } from "uvu";
import * as assert from "uvu/assert";
import { API_ACTOR } from "../../../cluster/fsm/actors.ts";
import { command, Fixture, T0 } from "./support/control-plane-fixture.ts";

const create = (code: string, uses: number) =>
  ({ type: "createInvite", code, uses, actor: API_ACTOR, at: T0 }) as const;
const redeem = (code: string, userId: string) =>
  ({ type: "redeemInvite", code, userId, at: T0 }) as const;

function inviteOnly(): Fixture {
  const fixture = new Fixture();
  fixture.ok({ type: "setSetting", key: "accessMode", value: "invite", actor: API_ACTOR });
  return fixture;
}

test("an invite activates a pending user and spends one use", () => {
  const fixture = inviteOnly();
  assert.equal(fixture.ok(create("WELCOME", 2)).invite, {
    code: "WELCOME",
    usesLeft: 2,
    createdBy: "admin-api",
    createdAt: T0,
  });
  fixture.ok(command.upsertUser("10"));
  const redeemed = fixture.ok(redeem("WELCOME", "10"));
  assert.equal(
    [redeemed.user.status, redeemed.user.invitedBy, redeemed.inviteConsumed],
    ["active", "admin-api", true],
  );
  assert.is(fixture.state.invite("WELCOME")!.usesLeft, 1);
});

test("an active user redeeming spends nothing", () => {
  const fixture = inviteOnly();
  fixture.ok(create("WELCOME", 1));
  fixture.ok(command.upsertUser("10", { role: "admin" }));
  assert.is(fixture.ok(redeem("WELCOME", "10")).inviteConsumed, false);
  assert.is(fixture.state.invite("WELCOME")!.usesLeft, 1);
});

test("a /start deep link with an invite code creates and activates the user in one command", () => {
  const fixture = inviteOnly();
  fixture.ok(create("WELCOME", 1));
  const result = fixture.ok(command.upsertUser("10", { inviteCode: "WELCOME" }));
  assert.equal([result.created, result.user.status, result.inviteConsumed], [true, "active", true]);
  fixture.refused(command.upsertUser("11", { inviteCode: "WELCOME" }), "INVITE_USED_UP");
  fixture.refused(command.upsertUser("11", { inviteCode: "NOSUCH" }), "UNKNOWN_INVITE");
  assert.is(fixture.state.user("11"), undefined);
});

test("in open mode an invite code in /start is not needed and not spent", () => {
  const fixture = new Fixture();
  fixture.ok(create("WELCOME", 1));
  assert.is(fixture.ok(command.upsertUser("10", { inviteCode: "WELCOME" })).inviteConsumed, false);
  assert.is(fixture.state.invite("WELCOME")!.usesLeft, 1);
});

test("refusals: used up, unknown code, unknown user, blocked user, duplicate code", () => {
  const fixture = inviteOnly();
  fixture.ok(create("ONCE", 1));
  fixture.refused(create("ONCE", 5), "INVITE_EXISTS");
  fixture.ok(command.upsertUser("10"));
  fixture.ok(command.upsertUser("11"));
  fixture.ok(redeem("ONCE", "10"));
  fixture.refused(redeem("ONCE", "11"), "INVITE_USED_UP");
  fixture.refused(redeem("NEVER", "11"), "UNKNOWN_INVITE");
  fixture.refused(redeem("ONCE", "99"), "UNKNOWN_USER");
  fixture.ok({ type: "setUserStatus", userId: "11", status: "blocked", actor: API_ACTOR, at: T0 });
  fixture.ok(create("AGAIN", 1));
  fixture.refused(redeem("AGAIN", "11"), "USER_BLOCKED");
  fixture.refused(create("no", 1), "INVALID_COMMAND");
  fixture.refused(create("VALID", 0), "INVALID_COMMAND");
});

test("an admin can delete an invite", () => {
  const fixture = inviteOnly();
  fixture.ok(create("WELCOME", 3));
  fixture.ok({ type: "deleteInvite", code: "WELCOME", actor: API_ACTOR, at: T0 });
  assert.equal(fixture.state.invites(), []);
  fixture.refused(
    { type: "deleteInvite", code: "WELCOME", actor: API_ACTOR, at: T0 },
    "UNKNOWN_INVITE",
  );
});

test.run();
