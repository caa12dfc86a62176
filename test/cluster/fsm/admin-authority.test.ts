import { test } from "uvu";
import * as assert from "uvu/assert";
import { API_ACTOR, telegramActor } from "../../../cluster/fsm/actors.ts";
import type { AdminActor, ControlPlaneCommandInput } from "../../../cluster/fsm/commands.ts";
import { command, Fixture, T0 } from "./support/control-plane-fixture.ts";

const ROOT = "1";
const BOB = "2";
const ANN = "10";

/** Two admins (ROOT, BOB), a plain user ANN with a config, and a server. */
function fleet(): Fixture {
  const fixture = new Fixture();
  fixture.ok(command.registerServer("n1"));
  fixture.ok(command.upsertUser(ROOT, { role: "admin" }));
  fixture.ok(command.upsertUser(BOB, { role: "admin" }));
  fixture.ok(command.upsertUser(ANN));
  fixture.ok(command.issueConfig("c1", ANN));
  fixture.ok(command.createInvite("OLDCODE"));
  fixture.ok(command.addVantageProbe("p1"));
  return fixture;
}

const setRole = (userId: string, role: "admin" | "user", actor: AdminActor) =>
  ({ type: "setUserRole", userId, role, actor, at: T0 }) as const;

const ban = (actor: AdminActor, updateId?: number) =>
  ({
    type: "setServerStatus",
    serverId: "n1",
    status: "banned",
    reason: "filtered",
    actor,
    at: T0 + 1,
    replacementKeys: command.replacementKeys(["c1"]),
    ...(updateId === undefined ? {} : { updateId }),
  }) as const;

/** One command of every kind an admin gives, acting for `actor`. */
function everyAdminCommand(actor: AdminActor): ControlPlaneCommandInput[] {
  return [
    command.revokeConfig("c1", { actor }),
    { type: "setSetting", key: "accessMode", value: "invite", actor },
    ban(actor),
    command.verdict("n1", 1, "filtered", { actor, banAfter: 1 }),
    setRole(ANN, "admin", actor),
    { type: "setUserStatus", userId: ANN, status: "blocked", actor, at: T0 },
    command.createInvite("NEWCODE", { actor }),
    { type: "deleteInvite", code: "OLDCODE", actor, at: T0 },
    command.addVantageProbe("p2", { actor }),
    { type: "removeVantageProbe", id: "p1", actor, at: T0 },
    { type: "broadcast", text: "hello", actor, at: T0 },
  ];
}

test("every admin command acting for a Telegram user who is not an admin is refused as NOT_AN_ADMIN and changes nothing", () => {
  const fixture = fleet();
  for (const admin of everyAdminCommand(telegramActor(ANN))) fixture.refused(admin, "NOT_AN_ADMIN");
  for (const admin of everyAdminCommand(telegramActor("99")))
    fixture.refused(admin, "NOT_AN_ADMIN");
});

test("a demotion committed before an admin's command makes the command refused", () => {
  const fixture = fleet();
  fixture.ok(setRole(BOB, "user", telegramActor(ROOT)));
  const message = fixture.refused(ban(telegramActor(BOB)), "NOT_AN_ADMIN");
  assert.match(message, /user 2 is not an active admin/);
  assert.is(fixture.state.server("n1")?.status, "active");
});

test("a demotion committed after an admin's command does not undo it", () => {
  const fixture = fleet();
  fixture.ok(ban(telegramActor(BOB)));
  fixture.ok(setRole(BOB, "user", telegramActor(ROOT)));
  assert.is(fixture.state.server("n1")?.status, "banned");
  assert.is(fixture.state.server("n1")?.statusActor, BOB);
});

test("an admin blocked before their command is refused like a demoted one", () => {
  const fixture = fleet();
  fixture.ok({
    type: "setUserStatus",
    userId: BOB,
    status: "blocked",
    actor: telegramActor(ROOT),
    at: T0,
  });
  fixture.refused(ban(telegramActor(BOB)), "NOT_AN_ADMIN");
});

test("a user promoted earlier in the log may act at once", () => {
  const fixture = fleet();
  fixture.refused(ban(telegramActor(ANN)), "NOT_AN_ADMIN");
  fixture.ok(setRole(ANN, "admin", telegramActor(ROOT)));
  assert.is(fixture.ok(ban(telegramActor(ANN))).server.status, "banned");
});

test("every admin command from the admin API is applied with no Telegram role to check", () => {
  const fixture = new Fixture();
  fixture.ok(command.registerServer("n1"));
  fixture.ok(command.upsertUser(ANN));
  fixture.ok(command.issueConfig("c1", ANN));
  fixture.ok(command.createInvite("OLDCODE"));
  fixture.ok(command.addVantageProbe("p1"));
  assert.equal(fixture.state.activeAdminIds(), [], "no admin at all");
  for (const admin of everyAdminCommand(API_ACTOR)) fixture.ok(admin);
});

test("the leader seeds the access mode from its environment without an admin", () => {
  const fixture = new Fixture();
  fixture.ok({
    type: "setSetting",
    key: "accessMode",
    value: "approval",
    actor: { kind: "environment" },
  });
  assert.is(fixture.state.setting("accessMode"), "approval");
});

test("an owner revoking their own config needs no admin role", () => {
  const fixture = fleet();
  const revoked = fixture.ok(
    command.revokeConfig("c1", { userId: ANN, actor: telegramActor(ANN) }),
  );
  assert.ok(revoked.revokedAt !== null);
});

test("a refused update is not recorded as handled; a repeat of one applied before the demotion answers with its first result", () => {
  const fixture = fleet();
  fixture.ok(setRole(BOB, "user", telegramActor(ROOT)));
  fixture.refused(ban(telegramActor(BOB), 7), "NOT_AN_ADMIN");
  assert.is(fixture.state.wasUpdateHandled(7), false);

  const other = fleet();
  const first = other.ok(ban(telegramActor(BOB), 8));
  other.ok(setRole(BOB, "user", telegramActor(ROOT)));
  const repeat = other.apply(ban(telegramActor(BOB), 8));
  assert.equal(repeat, { ok: true, value: first, duplicate: true });
});

test("an actor of the wrong shape is refused as INVALID_COMMAND", () => {
  const fixture = fleet();
  for (const actor of [
    ROOT,
    { kind: "telegram" },
    { kind: "telegram", userId: "x" },
    { kind: "root" },
  ])
    fixture.refused({ ...ban(API_ACTOR), actor }, "INVALID_COMMAND");
  fixture.refused(
    { ...setRole(ANN, "admin", API_ACTOR), actor: { kind: "environment" } },
    "INVALID_COMMAND",
  );
});

test.run();
