import { test } from "uvu";
import * as assert from "uvu/assert";
import { API_ACTOR } from "../../../cluster/fsm/actors.ts";
import { command, DAY_MS, Fixture, HOUR_MS, T0 } from "./support/control-plane-fixture.ts";

const sweep = (at: number) => ({ type: "expireConfigs", at }) as const;

function withConfigs(): Fixture {
  const fixture = new Fixture();
  fixture.ok({ type: "setSetting", key: "configLifetimeDays", value: "2", actor: API_ACTOR });
  fixture.ok(command.registerServer("n1"));
  fixture.ok(command.upsertUser("10"));
  fixture.ok(command.upsertUser("11"));
  fixture.ok(command.issueConfig("early", "10", { at: T0 }));
  fixture.ok(command.issueConfig("late", "11", { at: T0 + DAY_MS }));
  return fixture;
}

test("a sweep warns once for configs expiring within expiryWarningHours", () => {
  const fixture = withConfigs();
  assert.equal(fixture.ok(sweep(T0 + 12 * HOUR_MS)), {
    expired: 0,
    warned: 0,
    prunedOutbox: 0,
    prunedBroadcasts: 0,
    prunedIdempotencyKeys: 0,
  });
  const index = fixture.nextIndex;
  assert.is(fixture.ok(sweep(T0 + 25 * HOUR_MS)).warned, 1);
  assert.equal(fixture.state.outboxEntry(`o${index}-0`), {
    id: `o${index}-0`,
    chatId: "10",
    kind: "expiryWarning",
    payload: { configId: "early", expiresAt: T0 + 2 * DAY_MS },
    createdAt: T0 + 25 * HOUR_MS,
    status: "pending",
    attempts: 0,
    lastError: null,
    updatedAt: T0 + 25 * HOUR_MS,
    notBefore: null,
  });
  assert.is(fixture.state.config("early")!.expiryWarned, true);
  assert.is(fixture.ok(sweep(T0 + 26 * HOUR_MS)).warned, 0, "warned once only");
});

test("a sweep expires configs at their expiry and frees their addresses", () => {
  const fixture = withConfigs();
  const at = T0 + 2 * DAY_MS;
  const result = fixture.ok(sweep(at));
  assert.equal([result.expired, result.warned], [1, 1]);
  const early = fixture.state.config("early")!;
  assert.equal([early.revokedAt, early.revokeReason], [at, "expired"]);
  assert.is(fixture.state.server("n1")!.liveConfigs, 1);
  const next = fixture.ok(command.issueConfig("next", "10", { at }));
  assert.is(next.address, early.address, "the expired address is reused");
});

test("a warning window of 0 hours sends no warnings", () => {
  const fixture = withConfigs();
  fixture.ok({ type: "setSetting", key: "expiryWarningHours", value: "0", actor: API_ACTOR });
  assert.is(fixture.ok(sweep(T0 + 47 * HOUR_MS)).warned, 0);
});

test("configs that never expire are left alone", () => {
  const fixture = new Fixture();
  fixture.ok({ type: "setSetting", key: "configLifetimeDays", value: "0", actor: API_ACTOR });
  fixture.ok(command.registerServer("n1"));
  fixture.ok(command.upsertUser("10"));
  fixture.ok(command.issueConfig("c1", "10"));
  assert.equal(fixture.ok(sweep(T0 + 10_000 * DAY_MS)).expired, 0);
});

test("a sweep prunes finished outbox entries after a week and idempotency keys after a day", () => {
  const fixture = withConfigs();
  fixture.ok(command.issueConfig("keyed", "10", { idempotencyKey: "k1", at: T0 }));
  fixture.ok({
    type: "setServerEndpoint",
    serverId: "n1",
    endpointHost: "moved.example.net",
    at: T0,
  });
  const [first, second, third] = fixture.state.pendingOutbox();
  fixture.ok({ type: "markOutboxDelivered", id: first!.id, at: T0 + DAY_MS });
  fixture.ok({
    type: "markOutboxFailed",
    id: second!.id,
    error: "403",
    permanent: true,
    at: T0 + 2 * DAY_MS,
  });
  const result = fixture.ok(sweep(T0 + 8 * DAY_MS + 1));
  assert.equal([result.prunedOutbox, result.prunedIdempotencyKeys], [1, 1]);
  assert.is(fixture.state.outboxEntry(first!.id), undefined);
  assert.ok(fixture.state.outboxEntry(second!.id));
  assert.ok(fixture.state.outboxEntry(third!.id), "pending entries are never pruned");
  // The key is gone: the same key now makes a new config.
  fixture.ok({ type: "setSetting", key: "configsPerUser", value: "10", actor: API_ACTOR });
  const fresh = fixture.ok(
    command.issueConfig("keyed-2", "10", { idempotencyKey: "k1", at: T0 + 8 * DAY_MS }),
  );
  assert.is(fresh.id, "keyed-2");
});

test.run();
