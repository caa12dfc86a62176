/**
 * The bot's pacing with a real cluster and the Bot API emulator: a user who
 * gets answers faster than one a second waits for them, and nobody else does.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { arrivedUser, messagesMatching, withBotCluster } from "./support/bot-cluster.ts";

const TEXTS = 6;
/** The flooder's burst of three goes out at once; the rest a second apart. */
const BURST = 3;
const WAIT_MS = 10_000;
/** Paced answers to one chat, not sent at once. */
const MIN_PACED_GAP_MS = 500;

test("a user who floods the bot waits a second for each answer after the burst; another user's answer goes out meanwhile, not after it", async () => {
  await withBotCluster(async (cluster) => {
    await cluster.polling();
    const flooder = await arrivedUser(cluster, 8101, { first_name: "Flo" });
    const calm = await arrivedUser(cluster, 8102, { first_name: "Cal" });
    const before = flooder.inbox().length;
    for (let text = 0; text < TEXTS; text++) flooder.send(`hello ${text}`);
    await flooder.waitFor(() => flooder.inbox().length >= before + BURST, WAIT_MS);
    // The flooder's next answer now waits about a second for its chat's slot.
    calm.send("/help");
    const answer = await calm.waitFor(
      (message) => message.text?.startsWith("/config:") === true,
      WAIT_MS,
    );
    await flooder.waitFor(() => flooder.inbox().length >= before + TEXTS, WAIT_MS);
    const flooderAnswers = flooder.inbox().slice(before);
    const nextAfterBurst = flooderAnswers[BURST]!;
    assert.ok(
      answer.sentAt < nextAfterBurst.sentAt,
      `the other user's answer (${answer.sentAt.toFixed(0)} ms) went out before the flooder's next one (${nextAfterBurst.sentAt.toFixed(0)} ms)`,
    );
    // Slots are a second apart; a send held up by a busy machine narrows the gap after it.
    for (let n = BURST + 1; n < TEXTS; n++)
      assert.ok(
        flooderAnswers[n]!.sentAt - flooderAnswers[n - 1]!.sentAt >= MIN_PACED_GAP_MS,
        `the flooder's answer ${n} came about a second after the one before`,
      );
    assert.is(messagesMatching(calm, /^\/config:/).length, 1);
  });
});

test.run();
