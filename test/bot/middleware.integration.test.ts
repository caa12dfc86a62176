/**
 * The middleware every update passes: the per-user rate limit, private chats
 * only, and no Raft write for what is dropped or ignored.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { sleep } from "../../shared/sleep.ts";
import {
  arrivedUser,
  messagesMatching,
  settledCommitIndex,
  WAIT_MS,
  withBotCluster,
} from "./support/bot-cluster.ts";

test("a user over the rate limit is ignored without a Raft write, the rest are served, and every update is still confirmed to Telegram", async () => {
  await withBotCluster(
    async (cluster) => {
      const leader = await cluster.polling();
      const flooder = await arrivedUser(cluster, 8001, { first_name: "Flo" });
      const calm = await arrivedUser(cluster, 8002, { first_name: "Cal" });
      const sent = [1, 2, 3, 4, 5].map(() => flooder.send("/help"));
      calm.send("/help");
      await calm.waitFor((message) => message.text?.startsWith("/config:") === true, WAIT_MS);
      const lastUpdateId = sent.at(-1)!.updateId;
      await cluster.cluster.waitFor(
        () => (cluster.emulator.polls().at(-1)?.offset ?? 0) > lastUpdateId,
        WAIT_MS,
        "a poll confirming the dropped updates",
      );
      await sleep(200);
      // /start used one of the three allowed in the window.
      assert.is(messagesMatching(flooder, /^\/config:/).length, 2);
      assert.is(messagesMatching(calm, /^\/config:/).length, 1);
      const recorded = sent.map(({ updateId }) => leader.state.wasUpdateHandled(updateId));
      assert.equal(recorded, [true, true, false, false, false], "the dropped ones wrote nothing");
    },
    { userRateLimit: { limit: 3, timeFrameMs: 60_000 } },
  );
});

test("plain text no flow takes costs no Raft write and is confirmed all the same", async () => {
  await withBotCluster(async (cluster) => {
    const leader = await cluster.polling();
    const user = await arrivedUser(cluster, 8003, { first_name: "Tex" });
    const commitBefore = await settledCommitIndex(leader);
    const sent = ["hello", "привет", "سلام"].map((text) => user.send(text));
    const lastUpdateId = sent.at(-1)!.updateId;
    await cluster.cluster.waitFor(
      () => (cluster.emulator.polls().at(-1)?.offset ?? 0) > lastUpdateId,
      WAIT_MS,
      "a poll confirming the text",
    );
    assert.is(leader.node.status().commitIndex, commitBefore, "nothing was proposed");
  });
});

test.run();
