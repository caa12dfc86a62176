import { test } from "uvu";
import * as assert from "uvu/assert";
import { API_ACTOR } from "../../../cluster/fsm/actors.ts";
import type { OutboxEntry } from "../../../cluster/fsm/records.ts";
import { command, Fixture, T0 } from "./support/control-plane-fixture.ts";

const MINUTE_MS = 60_000;

/** Approval mode with two active admins (1 and 2). */
function approvalMode(noticeMinutes?: string): Fixture {
  const fixture = new Fixture();
  fixture.ok(command.upsertUser("1", { role: "admin" }));
  fixture.ok(command.upsertUser("2", { role: "admin" }));
  fixture.ok({ type: "setSetting", key: "accessMode", value: "approval", actor: API_ACTOR });
  if (noticeMinutes !== undefined)
    fixture.ok({
      type: "setSetting",
      key: "approvalNoticeMinutes",
      value: noticeMinutes,
      actor: API_ACTOR,
    });
  return fixture;
}

function notices(fixture: Fixture): OutboxEntry[] {
  return fixture.state.pendingOutbox().filter((entry) => entry.kind === "approvalRequest");
}

function signUp(fixture: Fixture, userId: string, at = T0): void {
  fixture.ok(command.upsertUser(userId, { name: `Newcomer ${userId}`, at }));
}

function deliver(fixture: Fixture, entry: OutboxEntry, at: number): void {
  fixture.ok({ type: "markOutboxDelivered", id: entry.id, at });
}

test("50 pending sign-ups in approval mode queue at most one approval notice per admin", () => {
  const fixture = approvalMode();
  for (let user = 100; user < 150; user++) signUp(fixture, String(user), T0 + user);
  assert.equal(
    fixture.state.pendingOutbox().map((entry) => [entry.chatId, entry.kind, entry.notBefore]),
    [
      ["1", "approvalRequest", null],
      ["2", "approvalRequest", null],
    ],
  );
  assert.is(fixture.state.pendingUsers().length, 50);
});

test("while an admin's notice waits, sign-ups change nothing for that admin; one who has none gets one", () => {
  const fixture = approvalMode();
  signUp(fixture, "100");
  const [first, second] = notices(fixture);
  deliver(fixture, first!, T0 + MINUTE_MS);
  fixture.ok({ type: "setSetting", key: "approvalNoticeMinutes", value: "0", actor: API_ACTOR });
  const before = second!;
  signUp(fixture, "101", T0 + 2 * MINUTE_MS);
  const waiting = notices(fixture);
  assert.equal(
    waiting.map((entry) => entry.chatId),
    ["2", "1"],
  );
  assert.equal(waiting[0], before, "admin 2's waiting notice is untouched");
});

test("after a notice is delivered the next one waits approvalNoticeMinutes from the delivery", () => {
  const fixture = approvalMode();
  signUp(fixture, "100");
  const delivered = notices(fixture)[0]!;
  const deliveredAt = T0 + 3 * MINUTE_MS;
  deliver(fixture, delivered, deliveredAt);
  signUp(fixture, "101", deliveredAt + MINUTE_MS);
  const next = notices(fixture).find((entry) => entry.chatId === delivered.chatId)!;
  assert.is(next.notBefore, deliveredAt + 10 * MINUTE_MS);

  const later = approvalMode();
  signUp(later, "100");
  const done = notices(later)[0]!;
  deliver(later, done, deliveredAt);
  signUp(later, "101", deliveredAt + 11 * MINUTE_MS);
  const due = notices(later).find((entry) => entry.chatId === done.chatId)!;
  assert.is(due.notBefore, null, "the interval is over: due at once");
});

test("approvalNoticeMinutes 0 lets the next notice go as soon as the last was delivered", () => {
  const fixture = approvalMode("0");
  signUp(fixture, "100");
  const delivered = notices(fixture)[0]!;
  deliver(fixture, delivered, T0 + 1);
  signUp(fixture, "101", T0 + 2);
  const next = notices(fixture).find((entry) => entry.chatId === delivered.chatId)!;
  assert.is(next.notBefore, null);
});

test("a restored snapshot makes the same decisions: a waiting notice still holds back the next", () => {
  const fixture = approvalMode();
  signUp(fixture, "100");
  const restored = new Fixture();
  restored.state.restore(fixture.state.snapshot());
  const hash = restored.state.stateHash();
  assert.is(hash, fixture.state.stateHash());
  signUp(fixture, "101");
  signUp(restored, "101");
  assert.is(notices(restored).length, 2);
  assert.is(restored.state.stateHash(), fixture.state.stateHash());
});

test("outside approval mode, and for users who are active or already known, no notice is queued", () => {
  const fixture = approvalMode();
  fixture.ok({ type: "setSetting", key: "accessMode", value: "invite", actor: API_ACTOR });
  signUp(fixture, "100");
  fixture.ok({ type: "setSetting", key: "accessMode", value: "approval", actor: API_ACTOR });
  signUp(fixture, "100");
  fixture.ok(command.upsertUser("101", { status: "active" }));
  assert.equal(notices(fixture), []);
});

test.run();
