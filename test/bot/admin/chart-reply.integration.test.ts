/**
 * `/metrics` and `/server <id>` send the 24-hour chart as a photo after their
 * text, drawn from the replicated hourly history.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { fleetChart } from "../../../bot/charts/fleet-chart.ts";
import { messagesFor } from "../../../bot/i18n/language.ts";
import { arrivedUser, ask, WAIT_MS, withBotCluster } from "../support/bot-cluster.ts";

const { admin: en } = messagesFor("en");
const ADMIN = 5200;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47]);

test("/metrics sends the fleet's chart and /server <id> the server's, as PNG photos", async () => {
  await withBotCluster(
    async (cluster) => {
      const root = await arrivedUser(cluster, ADMIN, { first_name: "Root" });
      await ask(cluster, root, "/checknow n1", /^n1: /);
      const leader = await cluster.leader();
      const history = leader.state.server("n1")!.hourly;
      assert.equal(
        history.at(-1)!.verdicts,
        [{ group: "", verdict: "ok" }],
        "recorded for the chart",
      );
      // Replicated: whichever node leads next draws the same history.
      await cluster.cluster.waitFor(
        () =>
          [...cluster.members.values()].every(
            (member) =>
              JSON.stringify(member.state.server("n1")!.hourly) === JSON.stringify(history),
          ),
        WAIT_MS,
        "the history on every node",
      );

      await ask(cluster, root, "/metrics", /^Leader: /);
      const fleet = await root.waitFor(
        (message) => /^Fleet, last 24 hours/.test(message.caption ?? ""),
        WAIT_MS * 4,
      );
      const servers = leader.state.servers();
      const spec = fleetChart(servers, Date.now(), "Fleet, last 24 hours", en.chart);
      const photo = fleet.photo!;
      assert.ok(photo.bytes.subarray(0, 4).equals(PNG_SIGNATURE));
      assert.equal([photo.width, photo.height], [spec.widthPx, spec.heightPx]);

      await ask(cluster, root, "/server n1", /^• n1 /);
      const one = await root.waitFor(
        (message) => /^Server n1, last 24 hours/.test(message.caption ?? ""),
        WAIT_MS * 4,
      );
      assert.ok(one.photo!.bytes.subarray(0, 4).equals(PNG_SIGNATURE));
    },
    { adminIds: [String(ADMIN)] },
  );
});

test("/server for an unknown server says so and sends no chart", async () => {
  await withBotCluster(
    async (cluster) => {
      const root = await arrivedUser(cluster, ADMIN, { first_name: "Root" });
      await ask(cluster, root, "/server n9", /There is no server n9/);
      await ask(cluster, root, "/servers", /^Servers \(/);
      assert.equal(
        root.inbox().filter((message) => message.photo !== undefined),
        [],
      );
    },
    { adminIds: [String(ADMIN)] },
  );
});

test.run();
