/**
 * `/checknow` runs a ban check at once and answers with the committed
 * verdict; `/server` shows a server with its recent verdicts.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { ServerCheckDeps } from "../../../bot/jobs/server-probing.ts";
import { sleep } from "../../../shared/sleep.ts";
import {
  arrivedUser,
  ask,
  commandUpdate,
  messagesMatching,
  probingWithServerDown,
  withBotCluster,
} from "../support/bot-cluster.ts";

const ADMIN = 5100;

/** Server n2 (198.51.100.2) refuses connections from everywhere; the others answer. */
const n2Dead = probingWithServerDown("198.51.100.2");

test("/checknow commits a verdict at once and says what it found; /server lists it", async () => {
  await withBotCluster(
    async (cluster) => {
      const root = await arrivedUser(cluster, ADMIN, { first_name: "Root" });
      const { answer: dead } = await ask(cluster, root, "/checknow n2", /^n2: /);
      assert.match(dead.text!, /^n2: down\. control fails tcp \(connection_refused\)/);
      const { answer: healthy } = await ask(cluster, root, "/checknow n1", /^n1: /);
      // The verdict is said once, not again at the head of its evidence ("ok: ok: control ok").
      assert.is(healthy.text, "n1: ok. control ok; no vantage probes configured");

      const leader = await cluster.leader();
      const checks = leader.state.server("n2")!.checks;
      assert.is(checks.recent.length, 1, "one verdict recorded for one /checknow");
      assert.is(checks.consecutiveDown, 1);
      assert.is(leader.state.server("n2")!.status, "active", "one down verdict of two needed");

      const { answer: details } = await ask(cluster, root, "/server n2", /^• n2 /);
      assert.match(details.text!, /Recent verdicts \(newest first\):/);
      assert.match(details.text!, /UTC down: control fails tcp \(connection_refused\)/);
      assert.not.match(details.text!, /down: down:/);
      assert.match(details.text!, /consecutive filtered 0, down 1/);
    },
    { adminIds: [String(ADMIN)], banChecks: { probing: n2Dead } },
  );
});

test("/checknow and /server with a bad or unknown server get the right form or say so", async () => {
  await withBotCluster(
    async (cluster) => {
      const root = await arrivedUser(cluster, ADMIN, { first_name: "Root" });
      for (const [text, form] of [
        ["/checknow", "/checknow <server>"],
        ["/checknow n1 n2", "/checknow <server>"],
        ["/server", "/server <id>"],
        ["/server bad/id", "/server <id>"],
      ] as const) {
        const { answer: reply } = await ask(
          cluster,
          root,
          text,
          new RegExp(form.replace(/[<>[\]/]/g, "\\$&")),
        );
        assert.ok(reply.text!.includes(form), `${text}: ${reply.text}`);
      }
      await ask(cluster, root, "/checknow n9", /There is no server n9/);
      await ask(cluster, root, "/server n9", /There is no server n9/);
      const leader = await cluster.leader();
      assert.ok(leader.state.servers().every((server) => server.checks.recent.length === 0));
    },
    { adminIds: [String(ADMIN)] },
  );
});

test("a /checknow delivered again after its verdict was recorded neither probes nor answers again", async () => {
  let probes = 0;
  const counting: ServerCheckDeps = {
    probe: async () => {
      probes++;
      return { ok: true, rttMs: 2 };
    },
    askVantage: n2Dead.askVantage,
  };
  await withBotCluster(
    async (cluster) => {
      const leader = await cluster.polling();
      const root = await arrivedUser(cluster, ADMIN, { first_name: "Root" });
      const { sent } = await ask(cluster, root, "/checknow n1", /^n1: /);
      const probesOfOneCheck = probes;
      const repliesBefore = root.inbox().length;
      await leader.bot.currentSession!.handleUpdate(
        commandUpdate(sent, { id: ADMIN, first_name: "Root" }, "/checknow n1"),
      );
      await sleep(200);
      assert.is(probes, probesOfOneCheck, "no second probe");
      assert.is(root.inbox().length, repliesBefore, "no second 'Checking' or verdict");
      assert.is(messagesMatching(root, /^Checking n1/).length, 1);
      assert.is(leader.state.server("n1")!.checks.recent.length, 1);
    },
    { adminIds: [String(ADMIN)], banChecks: { probing: counting } },
  );
});

test.run();
