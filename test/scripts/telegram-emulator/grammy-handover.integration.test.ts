/**
 * The leader handover as grammY 1.46 behaves against Telegram, reproduced on
 * the emulator so the bot's leadership code can be written against it (see
 * "Known traps at handover" in the design).
 */
import { Bot, GrammyError } from "grammy";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  callMethod,
  resultOf,
  TOKEN,
  waitUntil,
  withEmulator,
} from "./support/emulator-fixture.ts";

const WAIT_MS = 5000;

function botOn(apiRoot: string): Bot {
  const bot = new Bot(TOKEN, { client: { apiRoot } });
  bot.catch(() => undefined);
  return bot;
}

test("grammY's bot.stop() sends one more getUpdates, and it ends the new poller's poll with 409", async () => {
  await withEmulator(async (emulator) => {
    const oldLeader = botOn(emulator.apiRoot);
    let releaseHandler = () => {};
    const handlerEntered = new Promise<void>((entered) => {
      oldLeader.on("message", async () => {
        entered();
        await new Promise<void>((release) => {
          releaseHandler = release;
        });
      });
    });
    const oldRun = oldLeader.start({ timeout: 5 });
    await emulator.waitForPolling(WAIT_MS);
    emulator.user(7, { first_name: "Ann" }).send("/config");
    // The old leader is busy with an update, not polling, when leadership moves.
    await handlerEntered;

    const newLeader = botOn(emulator.apiRoot);
    newLeader.on("message", () => undefined);
    const newRun = newLeader.start({ timeout: 5 });
    const newPoll = await emulator.waitForPolling(WAIT_MS);

    const oldStop = oldLeader.stop();
    const failure = await newRun.then(
      () => assert.unreachable("the new leader's polling should have ended with an error"),
      (error: unknown) => error,
    );
    assert.instance(failure, GrammyError);
    assert.is((failure as GrammyError).error_code, 409, "409 ends grammY's bot.start() for good");
    assert.not.ok(newLeader.isRunning());

    releaseHandler();
    await oldStop;
    await oldRun;
    const polls = emulator.polls();
    const killed = polls.find((poll) => poll.id === newPoll.id);
    const finalPoll = polls.at(-1);
    assert.is(killed?.outcome, "conflict");
    assert.is(finalPoll?.limit, 1, "the stopping bot's confirming call asks for one update");
    assert.is(finalPoll?.timeout, 0);
    assert.ok(
      emulator
        .overlappingPolls()
        .some((overlap) => overlap.first.id === newPoll.id && overlap.second.id === finalPoll?.id),
      "the overlap is on record",
    );
  });
});

test("a grammY bot started and stopped alone ends its waiting poll and confirms its offset", async () => {
  await withEmulator(async (emulator) => {
    const bot = botOn(emulator.apiRoot);
    const seen: string[] = [];
    bot.on("message:text", (ctx) => {
      seen.push(ctx.message.text);
    });
    const run = bot.start({ timeout: 5 });
    await emulator.waitForPolling(WAIT_MS);
    emulator.user(7).send("hello");
    await waitUntil(() => seen.length === 1, WAIT_MS, "the bot to handle the message");
    await emulator.waitForPolling(WAIT_MS);
    await bot.stop();
    await run;
    assert.equal(seen, ["hello"]);
    assert.equal(
      emulator.pendingUpdates(),
      [],
      "the final getUpdates confirmed the handled update",
    );
    const finalPoll = emulator.polls().at(-1);
    assert.is(finalPoll?.limit, 1);
    await waitUntil(
      () => emulator.polls().every((poll) => poll.outcome !== null),
      WAIT_MS,
      "every poll to end",
    );
  });
});

test("a poller that aborts its waiting poll and makes no further call leaves the next poller undisturbed", async () => {
  await withEmulator(async (emulator) => {
    const oldPoll = new AbortController();
    const waiting = callMethod(emulator, "getUpdates", { timeout: 5 }, { signal: oldPoll.signal });
    await emulator.waitForPolling(WAIT_MS);
    oldPoll.abort();
    await waiting.catch(() => undefined);
    await waitUntil(() => emulator.polls()[0]?.outcome === "aborted", WAIT_MS, "the abort");

    const newPoll = resultOf<{ update_id: number }[]>(emulator, "getUpdates", { timeout: 5 });
    await emulator.waitForPolling(WAIT_MS);
    emulator.user(7).send("after the handover");
    assert.is((await newPoll).length, 1);
    assert.equal(emulator.overlappingPolls(), []);
  });
});

test("updates the old leader received but did not confirm come again to the new leader", async () => {
  await withEmulator(async (emulator) => {
    emulator.user(7).send("/config");
    const received = await resultOf<{ update_id: number }[]>(emulator, "getUpdates", {
      timeout: 5,
    });
    // The new leader resumes from the offset in the replicated state, which never moved past the update.
    const again = await resultOf<{ update_id: number }[]>(emulator, "getUpdates", {
      offset: received[0]?.update_id,
      timeout: 5,
    });
    assert.equal(
      again.map((update) => update.update_id),
      received.map((update) => update.update_id),
    );
    assert.equal(emulator.overlappingPolls(), []);
  });
});

test.run();
