/** The middleware every update passes: the per-user rate limit, private chats only. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { sleep } from "../../shared/sleep.ts";
import { arrivedUser, messagesMatching, WAIT_MS, withBotCluster } from "./support/bot-cluster.ts";

test("a user over the rate limit is ignored, the rest are served, and every update still advances the offset", async () => {
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
        () => leader.state.updateOffset() >= lastUpdateId,
        WAIT_MS,
        "the dropped updates to be acknowledged",
      );
      await sleep(200);
      // /start used one of the three allowed in the window.
      assert.is(messagesMatching(flooder, /^\/config:/).length, 2);
      assert.is(messagesMatching(calm, /^\/config:/).length, 1);
    },
    { userRateLimit: { limit: 3, timeFrameMs: 60_000 } },
  );
});

test.run();
