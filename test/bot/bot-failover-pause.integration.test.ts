/**
 * A leader frozen (SIGSTOP) while its long poll is open at Telegram, as a
 * stalled VM would be: it cannot abort the poll, so the poll stays open for
 * its whole timeout. Three real node processes with ELECTION_TIMEOUT_MS
 * 1500 (so polls are long: 1 s). The next leader answers users, the frozen
 * one wakes up (SIGCONT) and polls no more, and the emulator's record shows
 * no two polls ever open at once.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { sleep } from "../../shared/sleep.ts";
import { withBotProcesses } from "./support/bot-processes.ts";

const WAIT_MS = 60_000;
const ELECTION_TIMEOUT_MS = 1500;

test("SIGSTOP of the leader while its poll is open: the next leader answers, and no two polls were ever open at once", async () => {
  await withBotProcesses(
    { electionTimeoutMs: ELECTION_TIMEOUT_MS, heartbeatMs: 100 },
    async (cluster, emulator) => {
      const leader = await cluster.leader({ timeoutMs: WAIT_MS });
      const anna = emulator.user(9101, { first_name: "Anna", language_code: "en" });
      anna.send("/start");
      await anna.waitFor((message) => /^Hi Anna/.test(message.text ?? ""), WAIT_MS);
      const open = await emulator.waitForPolling(WAIT_MS);
      assert.is(open.timeout, 1, "a long poll of 1 s: it ends before the next leader's first poll");
      leader.process.signal("SIGSTOP");
      try {
        const boris = emulator.user(9102, { first_name: "Boris", language_code: "en" });
        boris.send("/start");
        await boris.waitFor((message) => /^Hi Boris/.test(message.text ?? ""), WAIT_MS);
      } finally {
        leader.process.signal("SIGCONT");
      }
      // The woken leader finds its term over: it does not poll again.
      await sleep(2 * ELECTION_TIMEOUT_MS);
      const clara = emulator.user(9103, { first_name: "Clara", language_code: "en" });
      clara.send("/start");
      await clara.waitFor((message) => /^Hi Clara/.test(message.text ?? ""), WAIT_MS);
      const frozenPoll = emulator.polls().find((poll) => poll.id === open.id)!;
      assert.ok(frozenPoll.endedAt !== null, "the frozen leader's poll ended at its timeout");
      assert.equal(emulator.overlappingPolls(), []);
    },
  );
});

test.run();
