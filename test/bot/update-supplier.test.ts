import { Writable } from "node:stream";
import { Bot } from "grammy";
import type { Update } from "grammy/types";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createUpdateSupplier } from "../../bot/update-supplier.ts";
import {
  createTelegramEmulator,
  type TelegramEmulator,
} from "../../scripts/telegram-emulator/emulator.ts";
import { createLogger } from "../../shared/logger.ts";
import { TOKEN } from "./support/bot-cluster.ts";

const silent = createLogger({
  level: "silent",
  destination: new Writable({ write: (_chunk, _encoding, done) => done() }),
});

/** Whether a poll may start, and the signal of the lease it starts under. */
interface LeaseStub {
  valid: boolean;
  period: AbortController;
}

async function withSupplier(
  body: (
    emulator: TelegramEmulator,
    supply: (signal: AbortSignal) => Promise<Update[]>,
    /** Makes the next poll wait until the returned function is called. */
    holdNextPoll: () => () => void,
    lease: LeaseStub,
  ) => Promise<void>,
): Promise<void> {
  const lease: LeaseStub = { valid: true, period: new AbortController() };
  const emulator = await createTelegramEmulator({ tokens: [TOKEN] });
  const bot = new Bot(TOKEN, { client: { apiRoot: emulator.apiRoot } });
  let gate = Promise.resolve();
  const holdNextPoll = () => {
    let release = () => {};
    gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    return release;
  };
  const supplier = createUpdateSupplier({
    api: bot.api,
    pollTimeoutSeconds: 5,
    allowedUpdates: ["message"],
    mayPoll: () => lease.valid,
    pollSignal: () => lease.period.signal,
    earlierUpdatesSettled: () => gate,
    onBatch: () => undefined,
    minRetryDelayMs: 10,
    logger: silent,
  });
  try {
    await body(emulator, (signal) => supplier.supply(100, signal as never), holdNextPoll, lease);
  } finally {
    await emulator.stop();
  }
}

test("the first poll sends no offset; the next one confirms the batch only once it settled", async () => {
  await withSupplier(async (emulator, supply, holdNextPoll) => {
    const controller = new AbortController();
    emulator.user(1, { first_name: "A" }).send("hello");
    const first = await supply(controller.signal);
    assert.is(first.length, 1);
    assert.is(emulator.polls()[0]!.offset, null);
    const release = holdNextPoll();
    const next = supply(controller.signal);
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.is(emulator.polls().length, 1, "no poll before the batch settled");
    release();
    await emulator.waitForPolling(2000);
    assert.is(emulator.polls()[1]!.offset, first[0]!.update_id + 1);
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
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.is(emulator.polls().length, 1);
  });
});

test("a poll open when the lease lapses is ended, and polling resumes once the lease is renewed", async () => {
  await withSupplier(async (emulator, supply, _hold, lease) => {
    const controller = new AbortController();
    const pending = supply(controller.signal);
    await emulator.waitForPolling(2000);
    lease.valid = false;
    lease.period.abort();
    const deadline = Date.now() + 2000;
    while (emulator.polls()[0]!.endedAt === null && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 5));
    assert.ok(emulator.polls()[0]!.endedAt !== null, "the open poll ended with the lease");
    await new Promise((resolve) => setTimeout(resolve, 50));
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

test.run();
