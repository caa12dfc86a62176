import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  callMethod,
  resultOf,
  TOKEN,
  waitUntil,
  withEmulator,
} from "./support/emulator-fixture.ts";

interface UpdateLike {
  update_id: number;
  message?: { text?: string };
}

test("a waiting getUpdates returns as soon as a user writes, long before its timeout", async () => {
  await withEmulator(async (emulator) => {
    const polling = resultOf<UpdateLike[]>(emulator, "getUpdates", { timeout: 5 });
    await emulator.waitForPolling(2000);
    const startedAtMs = performance.now();
    emulator.user(7, { first_name: "Ann" }).send("hello");
    const updates = await polling;
    assert.ok(performance.now() - startedAtMs < 1000, "returned within a second");
    assert.equal(
      updates.map((update) => update.message?.text),
      ["hello"],
    );
    const [record] = emulator.polls();
    assert.is(record?.outcome, "updates");
    assert.equal(record?.updateIds, [updates[0]?.update_id]);
  });
});

test("a getUpdates with nothing pending answers [] once its timeout has passed", async () => {
  await withEmulator(async (emulator) => {
    const startedAtMs = performance.now();
    const updates = await resultOf<UpdateLike[]>(emulator, "getUpdates", { timeout: 1 });
    const waitedMs = performance.now() - startedAtMs;
    assert.equal(updates, []);
    assert.ok(waitedMs >= 950 && waitedMs < 3000, `waited ${waitedMs} ms`);
    assert.is(emulator.polls()[0]?.outcome, "empty");
  });
});

test("timeout 0 answers at once, with or without updates", async () => {
  await withEmulator(async (emulator) => {
    assert.equal(await resultOf(emulator, "getUpdates", { timeout: 0 }), []);
    emulator.user(7).send("hi");
    assert.is((await resultOf<UpdateLike[]>(emulator, "getUpdates")).length, 1);
  });
});

test("update ids count up from firstUpdateId and stay until an offset above them confirms them", async () => {
  await withEmulator(
    async (emulator) => {
      const user = emulator.user(7);
      for (const text of ["a", "b", "c"]) user.send(text);
      const all = await resultOf<UpdateLike[]>(emulator, "getUpdates");
      assert.equal(
        all.map((update) => update.update_id),
        [500, 501, 502],
      );
      const again = await resultOf<UpdateLike[]>(emulator, "getUpdates");
      assert.is(again.length, 3, "returned updates are not confirmed by being returned");
      const rest = await resultOf<UpdateLike[]>(emulator, "getUpdates", { offset: 502 });
      assert.equal(
        rest.map((update) => update.update_id),
        [502],
      );
      assert.equal(await resultOf(emulator, "getUpdates", { offset: 503 }), []);
      assert.equal(emulator.pendingUpdates(), []);
    },
    { firstUpdateId: 500 },
  );
});

test("limit caps the batch, and a negative offset keeps only the last updates", async () => {
  await withEmulator(async (emulator) => {
    const user = emulator.user(7);
    for (const text of ["1", "2", "3", "4", "5"]) user.send(text);
    const firstTwo = await resultOf<UpdateLike[]>(emulator, "getUpdates", { limit: 2 });
    assert.equal(
      firstTwo.map((update) => update.message?.text),
      ["1", "2"],
    );
    const lastTwo = await resultOf<UpdateLike[]>(emulator, "getUpdates", { offset: -2 });
    assert.equal(
      lastTwo.map((update) => update.message?.text),
      ["4", "5"],
    );
    assert.is(emulator.pendingUpdates().length, 2, "the older three are forgotten");
  });
});

test("a second getUpdates ends the waiting one with 409 Conflict and then proceeds itself", async () => {
  await withEmulator(async (emulator) => {
    const older = callMethod(emulator, "getUpdates", { timeout: 5 });
    await emulator.waitForPolling(2000);
    const newer = callMethod(emulator, "getUpdates", { timeout: 5 });
    const olderAnswer = await older;
    assert.is(olderAnswer.status, 409);
    assert.equal(olderAnswer.body, {
      ok: false,
      error_code: 409,
      description:
        "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
    });
    emulator.user(7).send("for the newer poll");
    const newerAnswer = await newer;
    assert.is(newerAnswer.status, 200);
    assert.is((newerAnswer.body.result as UpdateLike[])[0]?.message?.text, "for the newer poll");
    const [first, second] = emulator.polls();
    assert.is(first?.outcome, "conflict");
    assert.is(second?.outcome, "updates");
    assert.is(
      first?.endedAt,
      second?.startedAt,
      "the conflict ends the older poll as the newer starts",
    );
  });
});

test("a caller that hangs up stops waiting; its poll is recorded as aborted and returns nothing", async () => {
  await withEmulator(async (emulator) => {
    const controller = new AbortController();
    const aborted = callMethod(
      emulator,
      "getUpdates",
      { timeout: 5 },
      { signal: controller.signal },
    );
    await emulator.waitForPolling(2000);
    controller.abort();
    await aborted.then(
      () => assert.unreachable("the request was aborted"),
      () => undefined,
    );
    await waitUntil(() => emulator.polls()[0]?.outcome === "aborted", 2000, "the abort to be seen");
    emulator.user(7).send("kept for the next poll");
    const next = await resultOf<UpdateLike[]>(emulator, "getUpdates");
    assert.is(next[0]?.message?.text, "kept for the next poll");
    assert.equal(emulator.overlappingPolls(), []);
  });
});

test("polls are recorded with token, offset, limit and timeout, and sequential polls never overlap", async () => {
  await withEmulator(async (emulator) => {
    emulator.user(7).send("one");
    await resultOf(emulator, "getUpdates", { offset: 0, limit: 10, timeout: 1 });
    await resultOf(emulator, "getUpdates", { offset: 2, timeout: 0 });
    const [first, second] = emulator.polls();
    assert.is(first?.token, TOKEN);
    assert.is(first?.offset, 0);
    assert.is(first?.limit, 10);
    assert.is(first?.timeout, 1);
    assert.is(second?.offset, 2);
    assert.is(second?.limit, 100, "limit defaults to 100");
    assert.ok(first!.endedAt! < second!.startedAt);
    assert.equal(emulator.overlappingPolls(), []);
  });
});

test("overlappingPolls reports the pair when a second poller cut in", async () => {
  await withEmulator(async (emulator) => {
    const older = callMethod(emulator, "getUpdates", { timeout: 5 });
    await emulator.waitForPolling(2000);
    await callMethod(emulator, "getUpdates", { timeout: 0 });
    await older;
    const overlaps = emulator.overlappingPolls();
    assert.is(overlaps.length, 1);
    assert.is(overlaps[0]?.first.id, 1);
    assert.is(overlaps[0]?.second.id, 2);
  });
});

test("allowed_updates filters what is queued from then on; an empty list restores the default", async () => {
  await withEmulator(async (emulator) => {
    await resultOf(emulator, "getUpdates", { allowed_updates: ["callback_query"] });
    emulator.user(7).send("dropped");
    assert.equal(emulator.pendingUpdates(), []);
    await resultOf(emulator, "getUpdates", { allowed_updates: [] });
    emulator.user(7).send("kept");
    assert.is(emulator.pendingUpdates().length, 1);
  });
});

test("deleteWebhook with drop_pending_updates forgets the queue", async () => {
  await withEmulator(async (emulator) => {
    emulator.user(7).send("old");
    assert.is(await resultOf(emulator, "deleteWebhook", { drop_pending_updates: true }), true);
    assert.equal(await resultOf(emulator, "getUpdates"), []);
  });
});

test.run();
