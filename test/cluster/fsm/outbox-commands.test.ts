import { test } from "uvu";
import * as assert from "uvu/assert";
import { API_ACTOR } from "../../../cluster/fsm/actors.ts";
import { command, Fixture, T0 } from "./support/control-plane-fixture.ts";

function withPendingEntry(): { fixture: Fixture; id: string } {
  const fixture = new Fixture();
  fixture.ok(command.upsertUser("10"));
  fixture.ok({ type: "setUserStatus", userId: "10", status: "pending", actor: API_ACTOR, at: T0 });
  fixture.ok({ type: "setUserStatus", userId: "10", status: "active", actor: API_ACTOR, at: T0 });
  const [entry] = fixture.state.pendingOutbox();
  return { fixture, id: entry!.id };
}

test("a delivered entry leaves the pending list", () => {
  const { fixture, id } = withPendingEntry();
  const delivered = fixture.ok({ type: "markOutboxDelivered", id, at: T0 + 5 });
  assert.equal(
    [delivered.status, delivered.attempts, delivered.updatedAt],
    ["delivered", 1, T0 + 5],
  );
  assert.equal(fixture.state.pendingOutbox(), []);
  assert.is(fixture.state.counts().pendingOutbox, 0);
});

test("marking delivered twice (at-least-once across a failover) is a duplicate that changes nothing", () => {
  const { fixture, id } = withPendingEntry();
  fixture.ok({ type: "markOutboxDelivered", id, at: T0 + 5 });
  const before = fixture.state.stateHash();
  const again = fixture.apply({ type: "markOutboxDelivered", id, at: T0 + 6 });
  assert.ok(again.ok && again.duplicate);
  assert.is(fixture.state.stateHash(), before);
});

test("a transient failure keeps the entry pending and counts the attempt", () => {
  const { fixture, id } = withPendingEntry();
  const failed = fixture.ok({
    type: "markOutboxFailed",
    id,
    error: "429 Too Many Requests",
    permanent: false,
    at: T0 + 1,
  });
  assert.equal(
    [failed.status, failed.attempts, failed.lastError],
    ["pending", 1, "429 Too Many Requests"],
  );
  assert.is(fixture.state.pendingOutbox().length, 1);
  fixture.ok({ type: "markOutboxDelivered", id, at: T0 + 2 });
  assert.is(fixture.state.outboxEntry(id)!.attempts, 2);
});

test("a permanent failure (user blocked the bot) ends retries", () => {
  const { fixture, id } = withPendingEntry();
  const failed = fixture.ok({
    type: "markOutboxFailed",
    id,
    error: "403 Forbidden",
    permanent: true,
    at: T0 + 1,
  });
  assert.is(failed.status, "failed");
  assert.equal(fixture.state.pendingOutbox(), []);
  const again = fixture.apply({
    type: "markOutboxFailed",
    id,
    error: "403",
    permanent: true,
    at: T0 + 2,
  });
  assert.ok(again.ok && again.duplicate);
});

test("unknown entries are refused", () => {
  const { fixture } = withPendingEntry();
  fixture.refused({ type: "markOutboxDelivered", id: "o999-0", at: T0 }, "UNKNOWN_OUTBOX_ENTRY");
  fixture.refused(
    { type: "markOutboxFailed", id: "o999-0", error: "", permanent: false, at: T0 },
    "UNKNOWN_OUTBOX_ENTRY",
  );
});

test("a broadcast queues one entry per active user, in join order, with the text stored once", () => {
  const fixture = new Fixture();
  fixture.ok(command.upsertUser("30"));
  fixture.ok(command.upsertUser("10"));
  fixture.ok(command.upsertUser("20"));
  fixture.ok({ type: "setUserStatus", userId: "20", status: "blocked", actor: API_ACTOR, at: T0 });
  const index = fixture.nextIndex;
  const result = fixture.ok({
    type: "broadcast",
    text: "Maintenance tonight",
    actor: API_ACTOR,
    at: T0 + 1,
  });
  assert.equal(result, { broadcastId: `b${index}`, queued: 2 });
  const entries = fixture.state.pendingOutbox();
  assert.equal(
    entries.map((entry) => [entry.chatId, entry.kind, entry.payload.broadcastId]),
    [
      ["30", "broadcast", `b${index}`],
      ["10", "broadcast", `b${index}`],
    ],
  );
  assert.equal(fixture.state.broadcast(`b${index}`), {
    id: `b${index}`,
    text: "Maintenance tonight",
    actor: "admin-api",
    createdAt: T0 + 1,
  });
  fixture.refused({ type: "broadcast", text: "", actor: API_ACTOR, at: T0 }, "INVALID_COMMAND");
});

test("a broadcast is dropped once every entry for it has been pruned", () => {
  const fixture = new Fixture();
  fixture.ok(command.upsertUser("10"));
  const { broadcastId } = fixture.ok({ type: "broadcast", text: "hi", actor: API_ACTOR, at: T0 });
  const [entry] = fixture.state.pendingOutbox();
  assert.is(fixture.ok({ type: "expireConfigs", at: T0 + 1 }).prunedBroadcasts, 0);
  fixture.ok({ type: "markOutboxDelivered", id: entry!.id, at: T0 + 1 });
  assert.is(
    fixture.ok({ type: "expireConfigs", at: T0 + 8 * 24 * 3600 * 1000 }).prunedBroadcasts,
    1,
  );
  assert.is(fixture.state.broadcast(broadcastId), undefined);
});

test("pending entries can be read in pages from the oldest", () => {
  const fixture = new Fixture();
  for (const id of ["10", "11", "12"]) fixture.ok(command.upsertUser(id));
  fixture.ok({ type: "broadcast", text: "hi", actor: API_ACTOR, at: T0 });
  assert.equal(
    fixture.state.pendingOutbox(2).map((entry) => entry.chatId),
    ["10", "11"],
  );
});

test.run();
