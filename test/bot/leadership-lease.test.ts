import { test } from "uvu";
import * as assert from "uvu/assert";
import { LeadershipLease } from "../../bot/leadership-lease.ts";
import { sleep } from "../../shared/sleep.ts";

function lease(options: {
  confirm: () => Promise<unknown>;
  leaseMs?: number;
  clock?: () => number;
}) {
  const controller = new AbortController();
  let expired = 0;
  const instance = new LeadershipLease({
    confirmLeadership: options.confirm,
    leaseMs: options.leaseMs ?? 40,
    onExpired: () => {
      expired++;
    },
    signal: controller.signal,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  return { instance, controller, expiredCount: () => expired };
}

test("a lease is valid from a confirmation until leaseMs after the confirmation started", async () => {
  let nowMs = 1000;
  const { instance, controller } = lease({
    confirm: async () => {
      nowMs += 15;
    },
    leaseMs: 40,
    clock: () => nowMs,
  });
  assert.not.ok(instance.isValid(), "no lease before the first confirmation");
  assert.ok(await instance.renew());
  nowMs = 1039;
  assert.ok(instance.isValid());
  nowMs = 1040;
  assert.not.ok(instance.isValid(), "measured from when the read started, not when it returned");
  controller.abort();
});

test("a failed confirmation does not extend the lease, and expiry is reported once", async () => {
  let healthy = true;
  const { instance, controller, expiredCount } = lease({
    confirm: async () => {
      if (!healthy) throw new Error("no quorum");
    },
    leaseMs: 30,
  });
  assert.ok(await instance.renew());
  healthy = false;
  assert.not.ok(await instance.renew());
  await sleep(60);
  assert.not.ok(instance.isValid());
  assert.is(expiredCount(), 1);
  controller.abort();
});

test("kept renewing, a lease never expires; once the session ends it is invalid and silent", async () => {
  const { instance, controller, expiredCount } = lease({
    confirm: async () => undefined,
    leaseMs: 30,
  });
  assert.ok(await instance.renew());
  const renewing = instance.keepRenewing();
  await sleep(120);
  assert.ok(instance.isValid());
  assert.is(expiredCount(), 0);
  controller.abort();
  await renewing;
  assert.not.ok(instance.isValid());
  await sleep(50);
  assert.is(expiredCount(), 0);
});

test("a poll's signal aborts when the lease lapses; a renewal starts a fresh one", async () => {
  let nowMs = 1000;
  const { instance, controller, expiredCount } = lease({
    confirm: async () => undefined,
    leaseMs: 40,
    clock: () => nowMs,
  });
  assert.ok(instance.periodSignal.aborted, "no lease yet: a poll could not start under it");
  await instance.renew();
  const first = instance.periodSignal;
  assert.not.ok(first.aborted);
  nowMs = 1050;
  await sleep(60);
  assert.ok(first.aborted, "the lease lapsed");
  assert.is(expiredCount(), 1);
  await instance.renew();
  assert.not.ok(instance.periodSignal.aborted, "renewed: a new period");
  assert.ok(first.aborted, "the lapsed period stays aborted");
  controller.abort();
});

test("a call waiting for the lease goes once a renewal makes it hold, and fails when the session ends", async () => {
  let nowMs = 1000;
  const { instance, controller } = lease({
    confirm: async () => undefined,
    leaseMs: 40,
    clock: () => nowMs,
  });
  let released = false;
  const waiting = instance.whenValid().then(() => {
    released = true;
  });
  await sleep(5);
  assert.not.ok(released, "no lease yet: the call waits");
  assert.ok(await instance.renew());
  await waiting;
  assert.ok(released);
  await instance.whenValid();

  nowMs = 1040;
  let failed: unknown;
  const held = instance.whenValid().catch((error: unknown) => {
    failed = error;
  });
  await sleep(5);
  assert.is(failed, undefined, "a lapsed lease holds the call back");
  controller.abort(new Error("leadership moved"));
  await held;
  assert.is((failed as Error).message, "leadership moved");
});

test.run();
