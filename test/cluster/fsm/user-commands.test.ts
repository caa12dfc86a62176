import { test } from "uvu";
import * as assert from "uvu/assert";
import { API_ACTOR } from "../../../cluster/fsm/actors.ts";
import { command, Fixture, T0 } from "./support/control-plane-fixture.ts";

const mode = (value: string) =>
  ({ type: "setSetting", key: "accessMode", value, actor: API_ACTOR }) as const;

test("in open mode a new user is active at once", () => {
  const fixture = new Fixture();
  const result = fixture.ok(command.upsertUser("10", { name: "Sara", language: "fa", at: T0 + 3 }));
  assert.equal(result.user, {
    id: "10",
    name: "Sara",
    language: "fa",
    role: "user",
    status: "active",
    createdAt: T0 + 3,
    invitedBy: null,
    preferredProtocol: null,
  });
  assert.is(result.created, true);
});

test("in invite and approval modes a new user is pending, unless an admin", () => {
  for (const value of ["invite", "approval"]) {
    const fixture = new Fixture();
    fixture.ok(mode(value));
    assert.is(fixture.ok(command.upsertUser("10")).user.status, "pending", value);
    assert.is(fixture.ok(command.upsertUser("11", { role: "admin" })).user.status, "active", value);
  }
});

test("in approval mode every active admin (not a blocked one) gets an approval notice for a new pending user", () => {
  const fixture = new Fixture();
  fixture.ok(command.upsertUser("2", { role: "admin" }));
  fixture.ok(command.upsertUser("1", { role: "admin" }));
  fixture.ok(command.upsertUser("3", { role: "admin", status: "blocked" }));
  fixture.ok(mode("approval"));
  fixture.ok(command.upsertUser("10", { name: "Ali" }));
  const requests = fixture.state.pendingOutbox();
  assert.equal(
    requests.map((entry) => [entry.chatId, entry.kind, entry.payload]),
    [
      ["1", "approvalRequest", {}],
      ["2", "approvalRequest", {}],
    ],
    "the notice is drawn at delivery from the users pending then",
  );
  fixture.ok(command.upsertUser("10", { name: "Ali R." }));
  assert.is(fixture.state.pendingOutbox().length, 2, "only when the user first appears");
});

test("upserting a known user updates name and language but keeps status, role and creation time", () => {
  const fixture = new Fixture();
  fixture.ok(command.upsertUser("10", { role: "admin" }));
  fixture.ok({ type: "setUserStatus", userId: "10", status: "blocked", actor: API_ACTOR, at: T0 });
  const again = fixture.ok(command.upsertUser("10", { name: "New", language: "ru", at: T0 + 50 }));
  assert.equal(
    [
      again.created,
      again.user.name,
      again.user.language,
      again.user.status,
      again.user.role,
      again.user.createdAt,
    ],
    [false, "New", "ru", "blocked", "admin", T0],
  );
});

test("an approved pending user becomes active and is told so", () => {
  const fixture = new Fixture();
  fixture.ok(mode("approval"));
  fixture.ok(command.upsertUser("10"));
  const index = fixture.nextIndex;
  const approved = fixture.ok({
    type: "setUserStatus",
    userId: "10",
    status: "active",
    actor: API_ACTOR,
    at: T0 + 1,
  });
  assert.is(approved.user.status, "active");
  assert.equal(fixture.state.outboxEntry(`o${index}-0`)?.kind, "approval");
  assert.equal(fixture.state.outboxEntry(`o${index}-0`)?.chatId, "10");
});

test("blocking a user revokes their live configs with reason blocked", () => {
  const fixture = new Fixture();
  fixture.ok(command.registerServer("n1"));
  fixture.ok(command.upsertUser("10"));
  fixture.ok(command.issueConfig("c2", "10"));
  fixture.ok(command.issueConfig("c1", "10"));
  fixture.ok(command.revokeConfig("c2", { at: T0 + 1 }));
  const blocked = fixture.ok({
    type: "setUserStatus",
    userId: "10",
    status: "blocked",
    actor: API_ACTOR,
    at: T0 + 2,
  });
  assert.equal(blocked.revokedConfigIds, ["c1"]);
  assert.equal(
    [fixture.state.config("c1")!.revokedAt, fixture.state.config("c1")!.revokeReason],
    [T0 + 2, "blocked"],
  );
  assert.is(
    fixture.state.config("c2")!.revokeReason,
    "revoked by admin",
    "already revoked configs keep their reason",
  );
  assert.is(fixture.state.server("n1")!.liveConfigs, 0);
  fixture.refused(command.issueConfig("c3", "10"), "USER_NOT_ACTIVE");
  fixture.ok({
    type: "setUserStatus",
    userId: "10",
    status: "active",
    actor: API_ACTOR,
    at: T0 + 3,
  });
  fixture.ok(command.issueConfig("c3", "10"));
});

test("roles change; admins are listed sorted", () => {
  const fixture = new Fixture();
  fixture.ok(command.upsertUser("20"));
  fixture.ok(command.upsertUser("10"));
  fixture.ok({ type: "setUserRole", userId: "20", role: "admin", actor: API_ACTOR, at: T0 });
  fixture.ok({ type: "setUserRole", userId: "10", role: "admin", actor: API_ACTOR, at: T0 });
  assert.equal(fixture.state.activeAdminIds(), ["10", "20"]);
  fixture.ok({ type: "setUserRole", userId: "20", role: "user", actor: API_ACTOR, at: T0 });
  assert.equal(fixture.state.activeAdminIds(), ["10"]);
});

test("role and status changes for unknown users are refused", () => {
  const fixture = new Fixture();
  fixture.refused(
    { type: "setUserRole", userId: "10", role: "admin", actor: API_ACTOR, at: T0 },
    "UNKNOWN_USER",
  );
  fixture.refused(
    { type: "setUserStatus", userId: "10", status: "active", actor: API_ACTOR, at: T0 },
    "UNKNOWN_USER",
  );
});

test("malformed user commands are refused", () => {
  const fixture = new Fixture();
  fixture.refused(command.upsertUser("-5"), "INVALID_COMMAND");
  fixture.refused(command.upsertUser("abc"), "INVALID_COMMAND");
  fixture.refused({ ...command.upsertUser("10"), language: "de" }, "INVALID_COMMAND");
  fixture.refused({ ...command.upsertUser("10"), role: "owner" }, "INVALID_COMMAND");
});

test("users are paged in the order they joined", () => {
  const fixture = new Fixture();
  for (const id of ["30", "10", "20", "40"]) fixture.ok(command.upsertUser(id));
  const page = fixture.state.users({ offset: 1, limit: 2 });
  assert.equal([page.users.map((user) => user.id), page.total], [["10", "20"], 4]);
  assert.equal(
    fixture.state.users({ offset: 3 }).users.map((user) => user.id),
    ["40"],
  );
});

test("a bootstrap admin is an admin when first created, and a demotion sticks however often they /start", () => {
  const fixture = new Fixture();
  assert.is(fixture.ok(command.upsertUser("7", { roleIfNew: "admin" })).user.role, "admin");
  fixture.ok({ type: "setUserRole", userId: "7", role: "user", actor: API_ACTOR, at: T0 });
  assert.is(fixture.ok(command.upsertUser("7", { roleIfNew: "admin" })).user.role, "user");
  assert.is(fixture.state.user("7")?.role, "user");
});

test.run();
