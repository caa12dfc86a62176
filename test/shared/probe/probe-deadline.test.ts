import { test } from "uvu";
import * as assert from "uvu/assert";
import { probeWithin } from "../../../shared/probe/probe-deadline.ts";
import { failedOutcome } from "../../../shared/probe/probe-failure.ts";

test("the first finish settles the probe and the socket is released exactly once", async () => {
  let releases = 0;
  const outcome = await probeWithin({ timeoutMs: 5_000 }, ({ finish }) => {
    setTimeout(() => {
      finish({ ok: true, rttMs: 1 });
      finish(failedOutcome("connection_reset"));
    }, 5);
    return () => {
      releases++;
    };
  });
  assert.equal(outcome, { ok: true, rttMs: 1 });
  assert.is(releases, 1);
});

test("a probe that never finishes times out with generic_timeout_error", async () => {
  let released = false;
  const outcome = await probeWithin({ timeoutMs: 20 }, () => () => {
    released = true;
  });
  assert.equal(outcome, { ok: false, error: "generic_timeout_error" });
  assert.ok(released);
});

test("a probe can name what its timeout means", async () => {
  const outcome = await probeWithin(
    { timeoutMs: 20 },
    () => () => {},
    () => failedOutcome("wireguard_bad_response"),
  );
  assert.equal(outcome, { ok: false, error: "wireguard_bad_response" });
});

test("aborting the signal interrupts the probe and releases its socket", async () => {
  const controller = new AbortController();
  let released = false;
  const started = Date.now();
  const pending = probeWithin({ timeoutMs: 10_000, signal: controller.signal }, () => () => {
    released = true;
  });
  setTimeout(() => controller.abort(), 10);
  assert.equal(await pending, { ok: false, error: "interrupted" });
  assert.ok(released);
  assert.ok(Date.now() - started < 5_000, "settled at the abort, not the timeout");
});

test("an already aborted signal starts nothing", async () => {
  let started = false;
  const outcome = await probeWithin({ timeoutMs: 1_000, signal: AbortSignal.abort() }, () => {
    started = true;
    return () => {};
  });
  assert.equal(outcome, { ok: false, error: "interrupted" });
  assert.not.ok(started);
});

test("a probe that finishes while starting is still released", async () => {
  let released = false;
  const outcome = await probeWithin({ timeoutMs: 1_000 }, ({ finish }) => {
    finish(failedOutcome("connection_refused"));
    return () => {
      released = true;
    };
  });
  assert.equal(outcome, { ok: false, error: "connection_refused" });
  assert.ok(released);
});

test("an exception thrown while starting becomes the failure it names", async () => {
  const outcome = await probeWithin({ timeoutMs: 1_000 }, () => {
    throw Object.assign(new Error("connect EHOSTUNREACH"), { code: "EHOSTUNREACH" });
  });
  assert.equal(outcome, { ok: false, error: "host_unreachable" });
});

test("elapsed time is measured from the start, or from an earlier reading", async () => {
  const outcome = await probeWithin({ timeoutMs: 5_000 }, ({ finish, elapsedMs }) => {
    const first = elapsedMs();
    setTimeout(() => {
      const sinceStart = elapsedMs();
      const sinceFirst = elapsedMs(first);
      assert.ok(sinceStart >= 15 && sinceFirst <= sinceStart, `${sinceStart} ${sinceFirst}`);
      finish({ ok: true, rttMs: sinceFirst });
    }, 20);
    return () => {};
  });
  assert.ok(outcome.ok && (outcome.rttMs ?? 0) >= 15);
});

test.run();
