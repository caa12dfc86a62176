/** The leader's sweep: a warning before a config expires, then the config revoked. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { arrivedUser, WAIT_MS, withBotCluster } from "../support/bot-cluster.ts";

const DAY_MS = 24 * 60 * 60 * 1000;

test("a day before expiry the user is warned once; after it the config is revoked and gone from /myconfigs", async () => {
  await withBotCluster(
    async (cluster) => {
      const leader = await cluster.polling();
      const user = await arrivedUser(cluster, 9001, { first_name: "Ida" });
      user.send("/config");
      await user.waitFor((message) => message.document !== undefined, WAIT_MS);
      const config = leader.state.configsOfUser("9001")[0]!;
      assert.ok(config.expiresAt !== null, "configs expire after configLifetimeDays");
      cluster.setClockShift(config.expiresAt! - Date.now() - DAY_MS / 2);
      const warning = await user.waitFor(
        (message) => /expires on/.test(message.text ?? ""),
        WAIT_MS,
      );
      assert.ok(warning.text!.includes(new Date(config.expiresAt!).toISOString().slice(0, 10)));
      cluster.setClockShift(config.expiresAt! - Date.now() + 1000);
      await cluster.cluster.waitFor(
        () => leader.state.config(config.id)?.revokeReason === "expired",
        WAIT_MS,
        "the config to expire",
      );
      user.send("/myconfigs");
      await user.waitFor((message) => /no configs yet/.test(message.text ?? ""), WAIT_MS);
      assert.is(user.inbox().filter((message) => /expires on/.test(message.text ?? "")).length, 1);
    },
    { expirySweepIntervalMs: 50 },
  );
});

test.run();
