import { Bot } from "grammy";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { SessionEndedError, sessionGuard } from "../../bot/api-guard.ts";
import { createTelegramEmulator } from "../../scripts/telegram-emulator/emulator.ts";
import { sleep } from "../../shared/sleep.ts";
import { TOKEN } from "./support/bot-cluster.ts";

test("ending the session aborts the pending getUpdates at once, and no later call reaches Telegram", async () => {
  const emulator = await createTelegramEmulator({ tokens: [TOKEN] });
  try {
    const session = new AbortController();
    const bot = new Bot(TOKEN, { client: { apiRoot: emulator.apiRoot } });
    bot.api.config.use(sessionGuard(session.signal));
    const poll = bot.api.getUpdates({ timeout: 5 });
    const waiting = await emulator.waitForPolling(2000);
    const endedAt = performance.now();
    session.abort();
    await poll.then(
      () => assert.unreachable("the poll should have been aborted"),
      () => undefined,
    );
    assert.ok(performance.now() - endedAt < 1000, "aborted at once, not at the poll's timeout");
    const after = await bot.api.getMe().then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.instance(after, SessionEndedError);
    const polls = emulator.polls();
    assert.is(polls.length, 1, "no confirming getUpdates after the end");
    for (let attempt = 0; attempt < 100 && emulator.polls()[0]!.outcome === null; attempt++)
      await sleep(10);
    assert.is(emulator.polls()[0]!.id, waiting.id);
    assert.is(emulator.polls()[0]!.outcome, "aborted");
  } finally {
    await emulator.stop();
  }
});

test.run();
