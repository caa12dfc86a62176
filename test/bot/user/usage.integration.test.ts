/**
 * Traffic in the bot: /usage for users in their language and in human
 * units, the 80 % warning and the suspension notice from the outbox, a
 * config refused while suspended, and `/user <id>` and `/user <id> quota`
 * for admins.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { formatBytes } from "../../../bot/format.ts";
import { fa } from "../../../bot/i18n/fa.ts";
import { ru } from "../../../bot/i18n/ru.ts";
import {
  arrivedUser,
  ask,
  type BotCluster,
  messagesMatching,
  WAIT_MS,
  withBotCluster,
} from "../support/bot-cluster.ts";

const GB = 1_000_000_000;
const ADMIN = 6000;
let reportMinute = 0;

/** The user's config's server reports its raw counter; each report a minute after the last. */
async function reportTraffic(cluster: BotCluster, userId: string, rxBytes: number) {
  const leader = await cluster.leader();
  const config = leader.state.configsOfUser(userId)[0]!;
  reportMinute++;
  await leader.service.run({
    type: "reportTraffic",
    serverId: config.serverId,
    counters: [{ configId: config.id, peer: config.clientPublicKey, rxBytes, txBytes: 0 }],
    at: Date.now() + reportMinute * 60_000,
  });
}

test("/usage in the user's language and units, the 80 % warning, the suspension notice, a config refused, and the admin's quota commands", async () => {
  await withBotCluster(
    async (cluster) => {
      await cluster.polling();
      const admin = await arrivedUser(cluster, ADMIN, { first_name: "Root" });
      const user = await arrivedUser(cluster, 6001, { first_name: "Sara", language_code: "fa" });
      await (await cluster.leader()).service.issueConfig({ userId: "6001" });

      const { answer: usage } = await ask(cluster, user, "/usage", /ترافیک این دوره/);
      assert.match(
        usage.text!,
        `۰ ${fa.byteUnits[0]} از ۵۰ ${fa.byteUnits[3]} (۰٪)`,
        "Persian digits",
      );
      assert.match(usage.text!, /[۰-۹]{4}-[۰-۹]{2}-[۰-۹]{2}/);

      const { answer: quota } = await ask(cluster, admin, "/user 6001 quota 1", /^User 6001:/);
      assert.match(quota.text!, /Traffic: 0 B of 1 GB \(0 %\); up 0 B/);

      await reportTraffic(cluster, "6001", 0.85 * GB);
      await user.waitFor(
        (message) => message.text?.includes("/usage") === true && message.text.includes("۸۵۰"),
        WAIT_MS,
      );
      const warning = messagesMatching(user, /۸۵۰/).at(-1)!;
      assert.is(
        warning.text,
        fa.trafficWarning(
          formatBytes(0.85 * GB, fa.byteUnits),
          formatBytes(GB, fa.byteUnits),
          warning.text!.match(/[۰-۹]{4}-[۰-۹]{2}-[۰-۹]{2}/)![0],
        ),
      );

      await reportTraffic(cluster, "6001", 1.2 * GB);
      const resetsAt = (await cluster.leader()).state.trafficUsage("6001", Date.now()).resetsAt;
      const date = new Date(resetsAt).toISOString().slice(0, 10);
      await user.waitFor(
        (message) => message.text === fa.trafficSuspended(formatBytes(GB, fa.byteUnits), date),
        WAIT_MS,
      );
      const { answer: refused } = await ask(cluster, user, "/config", /سهمیه ترافیک/);
      assert.is(refused.text, fa.quotaExceeded(date));

      const { answer: shown } = await ask(cluster, admin, "/user 6001", /Live configs/);
      assert.match(
        shown.text!,
        /Traffic: 1.2 GB of 1 GB \(120 %\); up 1.2 GB, down 0 B; resets \d{4}-\d{2}-\d{2}; SUSPENDED/,
      );

      const { answer: lifted } = await ask(cluster, admin, "/user 6001 quota lift", /^User 6001:/);
      assert.match(lifted.text!, /suspension lifted/);
      const leader = await cluster.leader();
      assert.not.ok(leader.state.trafficUsage("6001", Date.now()).suspended);
      const { answer: unlimited } = await ask(
        cluster,
        admin,
        "/user 6001 quota unlimited",
        /^User 6001:/,
      );
      assert.match(unlimited.text!, /of no limit/);
      const { answer: back } = await ask(cluster, admin, "/user 6001 quota default", /^User 6001:/);
      assert.match(back.text!, /the default quota/);
      const { answer: malformed } = await ask(cluster, admin, "/user 6001 quota lots", /^Usage:/);
      assert.match(malformed.text!, /quota <GB 0-100000>\|unlimited\|default\|lift/);
      assert.is(leader.state.trafficUsage("6001", Date.now()).quotaIsDefault, true);
    },
    { adminIds: [String(ADMIN)], settings: { trafficQuotaGb: "50" } },
  );
});

test("/usage without a quota says there is no limit, in Russian", async () => {
  await withBotCluster(async (cluster) => {
    await cluster.polling();
    const user = await arrivedUser(cluster, 6002, { first_name: "Ivan", language_code: "ru" });
    await (await cluster.leader()).service.issueConfig({ userId: "6002" });
    await reportTraffic(cluster, "6002", 1_500_000);
    const { answer } = await ask(cluster, user, "/usage", /Трафик за период/);
    assert.match(answer.text!, `1.5 ${ru.byteUnits[2]} (без ограничений)`);
  });
});

test.run();
