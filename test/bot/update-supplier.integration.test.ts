import { Bot } from "grammy";
import type { Update } from "grammy/types";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { UpdateProgress } from "../../bot/update-progress.ts";
import { createUpdateSupplier, IDLE_POLL_PAUSE_MS } from "../../bot/update-supplier.ts";
import {
  createTelegramEmulator,
  type TelegramEmulator,
} from "../../scripts/telegram-emulator/emulator.ts";
import { silentLogger } from "../../shared/silent-logger.ts";
import { sleep } from "../../shared/sleep.ts";
import { TOKEN } from "./support/bot-cluster.ts";

/** Whether a poll may start, and the signal of the lease it starts under. */
interface LeaseStub {
  valid: boolean;
  period: AbortController;
}

async function withSupplier(
  body: (
    emulator: TelegramEmulator,
    supply: (signal: AbortSignal) => Promise<Update[]>,
    progress: UpdateProgress,
    lease: LeaseStub,
  ) => Promise<void>,
  pollTimeoutSeconds = 5,
): Promise<void> {
  const lease: LeaseStub = { valid: true, period: new AbortController() };
  const emulator = await createTelegramEmulator({ tokens: [TOKEN] });
  const bot = new Bot(TOKEN, { client: { apiRoot: emulator.apiRoot } });
  const progress = new UpdateProgress(3000);
  const supplier = createUpdateSupplier({
    api: bot.api,
    pollTimeoutSeconds,
    allowedUpdates: ["message"],
    mayPoll: () => lease.valid,
    pollSignal: () => lease.period.signal,
    progress,
    onBatch: () => undefined,
    minRetryDelayMs: 10,
    logger: silentLogger,
  });
  try {
    await body(emulator, (signal) => supplier.supply(100, signal as never), progress, lease);
  } finally {
    await emulator.stop();
  }
}

test("the first poll sends no offset; later ones ask from the oldest unsettled update and hand out only new ones", async () => {
  await withSupplier(async (emulator, supply, progress) => {
    const controller = new AbortController();
    const alice = emulator.user(1, { first_name: "A" });
    alice.send("hello");
    const first = await supply(controller.signal);
    assert.is(first.length, 1);
    const firstId = first[0]!.update_id;
    assert.is(emulator.polls()[0]!.offset, null);
    // Not answered yet: the next poll does not confirm it, and it is not handed out again.
    alice.send("more");
    const second = await supply(controller.signal);
    assert.equal(
      second.map((update) => update.update_id),
      [firstId + 1],
    );
    assert.is(emulator.polls().at(-1)!.offset, firstId, "the unsettled update is not confirmed");
    progress.answered(firstId);
    progress.answered(firstId + 1);
    const next = supply(controller.signal);
    await emulator.waitForPolling(2000);
    assert.is(emulator.polls().at(-1)!.offset, firstId + 2, "both settled: both confirmed");
    controller.abort();
    await next.catch(() => undefined);
  });
});

test("when only updates still being handled come back, the next poll waits for one to settle", async () => {
  await withSupplier(async (emulator, supply, progress) => {
    const controller = new AbortController();
    emulator.user(1, { first_name: "A" }).send("slow one");
    const [slow] = await supply(controller.signal);
    const pollsBefore = emulator.polls().length;
    const next = supply(controller.signal);
    await sleep(250);
    // About one poll per recheck interval, not a busy loop.
    assert.ok(
      emulator.polls().length - pollsBefore <= 4,
      `${emulator.polls().length - pollsBefore} polls`,
    );
    progress.answered(slow!.update_id);
    await emulator.waitForPolling(2000);
    assert.is(emulator.polls().at(-1)!.offset, slow!.update_id + 1);
    controller.abort();
    await next.catch(() => undefined);
  });
});

test("409 Conflict is transient: the poller keeps polling and gets the next update", async () => {
  await withSupplier(async (emulator, supply) => {
    const controller = new AbortController();
    const pending = supply(controller.signal);
    await emulator.waitForPolling(2000);
    // Another poller arrives: ours is answered 409.
    const intruder = await fetch(`${emulator.apiRoot}/bot${TOKEN}/getUpdates`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ timeout: 0 }),
    });
    assert.is(intruder.status, 200);
    assert.is(emulator.polls()[0]!.outcome, "conflict");
    await emulator.waitForPolling(2000);
    emulator.user(2, { first_name: "B" }).send("still here");
    const updates = await pending;
    assert.is(updates.length, 1);
    assert.ok(emulator.polls().length >= 3, "polled again after the conflict");
  });
});

test("an abort ends the pending poll and no further poll is made", async () => {
  await withSupplier(async (emulator, supply) => {
    const controller = new AbortController();
    const pending = supply(controller.signal);
    await emulator.waitForPolling(2000);
    controller.abort();
    await pending.then(
      () => assert.unreachable("an aborted supply rejects"),
      () => undefined,
    );
    await sleep(50);
    assert.is(emulator.polls().length, 1);
  });
});

test("a poll open when the lease lapses is ended, and polling resumes once the lease is renewed", async () => {
  await withSupplier(async (emulator, supply, _progress, lease) => {
    const controller = new AbortController();
    const pending = supply(controller.signal);
    await emulator.waitForPolling(2000);
    lease.valid = false;
    lease.period.abort();
    const deadline = Date.now() + 2000;
    while (emulator.polls()[0]!.endedAt === null && Date.now() < deadline) await sleep(5);
    assert.ok(emulator.polls()[0]!.endedAt !== null, "the open poll ended with the lease");
    await sleep(50);
    assert.is(emulator.polls().length, 1, "no poll while the lease does not hold");
    lease.period = new AbortController();
    lease.valid = true;
    emulator.user(1, { first_name: "A" }).send("back");
    const updates = await pending;
    assert.is(updates.length, 1);
    assert.is(emulator.polls().length, 2);
    controller.abort();
  });
});

test("while an effect waits for its update to be confirmed, the poll that confirms it does not linger", async () => {
  await withSupplier(async (emulator, supply, progress) => {
    const controller = new AbortController();
    emulator.user(1, { first_name: "A" }).send("/stepdown");
    const [update] = await supply(controller.signal);
    const confirmed = progress.untilConfirmed(update!.update_id, 2000, controller.signal);
    progress.answered(update!.update_id);
    const startedAt = Date.now();
    assert.equal(await supply(controller.signal), [], "the confirming poll comes back at once");
    assert.is(await confirmed, true);
    assert.ok(Date.now() - startedAt < 2000, "well before the long-poll timeout");
    const confirming = emulator.polls().find((poll) => poll.offset === update!.update_id + 1)!;
    assert.is(confirming.timeout, 0);
    const next = supply(controller.signal);
    await emulator.waitForPolling(2000);
    assert.is(emulator.polls().at(-1)!.timeout, 5, "then polls wait for news again");
    controller.abort();
    await next.catch(() => undefined);
  });
});

test("with a timeout of 0, empty short polls are paced and an update is handed out by the next one", async () => {
  await withSupplier(async (emulator, supply) => {
    const controller = new AbortController();
    const supplied = supply(controller.signal);
    await sleep(IDLE_POLL_PAUSE_MS * 3);
    const idle = emulator.polls();
    assert.ok(idle.length >= 2 && idle.length <= 5, `${idle.length} polls in three pauses`);
    assert.ok(idle.every((poll) => poll.timeout === 0 && poll.outcome === "empty"));
    for (let next = 1; next < idle.length; next++)
      assert.ok(idle[next]!.startedAt - idle[next - 1]!.endedAt! >= IDLE_POLL_PAUSE_MS - 5);
    emulator.user(1, { first_name: "A" }).send("hello");
    const batch = await supplied;
    assert.is(batch.length, 1);
    controller.abort();
  }, 0);
});

test.run();
