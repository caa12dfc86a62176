/** Arriving: /start in each access mode, invite deep links and codes, bootstrap admins. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { API_ACTOR } from "../../../cluster/fsm/actors.ts";
import { settledCommitIndex, WAIT_MS, withBotCluster } from "../support/bot-cluster.ts";

test("in invite mode a newcomer is told how to get in, a bad code is refused, a good one lets them in", async () => {
  await withBotCluster(
    async (cluster) => {
      const leader = await cluster.polling();
      await leader.service.run({
        type: "createInvite",
        code: "friends-2026",
        uses: 1,
        actor: API_ACTOR,
        at: Date.now(),
      });
      const user = cluster.emulator.user(4001, { first_name: "Ann", language_code: "en" });
      user.send("/start");
      await user.waitFor((message) => /works by invitation/.test(message.text ?? ""), WAIT_MS);
      assert.is(leader.state.user("4001")?.status, "pending");
      user.send("/config");
      await cluster.cluster.waitFor(
        () =>
          user.inbox().filter((message) => /works by invitation/.test(message.text ?? ""))
            .length === 2,
        WAIT_MS,
        "the second reminder",
      );
      user.send("/start wrong-code");
      await user.waitFor((message) => /invite code is unknown/.test(message.text ?? ""), WAIT_MS);
      user.send("/start friends-2026");
      await user.waitFor((message) => /Hi Ann/.test(message.text ?? ""), WAIT_MS);
      assert.is(leader.state.user("4001")?.status, "active");
      assert.is(leader.state.invite("friends-2026")?.usesLeft, 0);
      assert.is(leader.state.configsOfUser("4001").length, 0, "nothing issued while pending");
    },
    { accessMode: "invite" },
  );
});

test("a pending user in invite mode may send the code as plain text", async () => {
  await withBotCluster(
    async (cluster) => {
      const leader = await cluster.polling();
      await leader.service.run({
        type: "createInvite",
        code: "plain-code",
        uses: 5,
        actor: API_ACTOR,
        at: Date.now(),
      });
      const user = cluster.emulator.user(4002, { first_name: "Bo", language_code: "en" });
      user.send("/start");
      await user.waitFor((message) => /works by invitation/.test(message.text ?? ""), WAIT_MS);
      user.send("plain-code");
      await user.waitFor((message) => /Hi Bo/.test(message.text ?? ""), WAIT_MS);
      assert.is(leader.state.user("4002")?.status, "active");
    },
    { accessMode: "invite" },
  );
});

test("in approval mode a newcomer waits; the admin's Approve button lets them in and tells them", async () => {
  await withBotCluster(
    async (cluster) => {
      const leader = await cluster.polling();
      const admin = cluster.emulator.user(4100, { first_name: "Admin", language_code: "en" });
      admin.send("/start");
      await admin.waitFor((message) => /Hi Admin/.test(message.text ?? ""), WAIT_MS);
      const user = cluster.emulator.user(4003, { first_name: "Cy", language_code: "ru" });
      user.send("/start");
      await user.waitFor((message) => /попросили вас одобрить/.test(message.text ?? ""), WAIT_MS);
      assert.is(leader.state.user("4003")?.status, "pending");
      assert.ok(
        leader.state
          .pendingOutbox()
          .some((entry) => entry.kind === "approvalRequest" && entry.chatId === "4100"),
        "the admin gets an approval request",
      );
    },
    { accessMode: "approval", adminIds: ["4100"] },
  );
});

test("ACCESS_MODE seeds the replicated setting once; an id in ADMIN_IDS becomes an admin with the admin menu", async () => {
  await withBotCluster(
    async (cluster) => {
      const leader = await cluster.polling();
      await cluster.cluster.waitFor(
        () => leader.state.getSetting("accessMode"),
        WAIT_MS,
        "the seed",
      );
      assert.is(leader.state.getSetting("accessMode"), "approval");
      const admin = cluster.emulator.user(4200, { first_name: "Root", language_code: "en" });
      admin.send("/start");
      await admin.waitFor((message) => /Hi Root/.test(message.text ?? ""), WAIT_MS);
      assert.is(leader.state.user("4200")?.role, "admin");
      await cluster.cluster.waitFor(
        () => admin.commands().some((command) => command.command === "servers"),
        WAIT_MS,
        "the admin menu",
      );
      const user = cluster.emulator.user(4201, { first_name: "Eve", language_code: "fa" });
      user.send("/start");
      await user.waitFor((message) => message.text !== undefined, WAIT_MS);
      assert.not.ok(user.commands().some((command) => command.command === "servers"));
      assert.ok(user.commands().some((command) => command.command === "config"));
    },
    { accessMode: "approval", adminIds: ["4200"] },
  );
});

test("at most newUsersPerMinute newcomers get in per minute; the rest are told to come back, with no Raft write", async () => {
  await withBotCluster(
    async (cluster) => {
      const leader = await cluster.polling();
      await leader.service.run({
        type: "setSetting",
        key: "newUsersPerMinute",
        value: "2",
        actor: API_ACTOR,
      });
      const newcomers = [4101, 4102, 4103].map((id) =>
        cluster.emulator.user(id, { first_name: `N${id}`, language_code: "en" }),
      );
      for (const [position, user] of newcomers.entries()) {
        user.send("/start");
        const expected = position < 2 ? /Hi N41/ : /Many people are joining/;
        await user.waitFor((message) => expected.test(message.text ?? ""), WAIT_MS);
      }
      assert.ok(leader.state.user("4101") && leader.state.user("4102"));
      assert.is(leader.state.user("4103"), undefined, "the third newcomer was recorded");
      const commitBefore = await settledCommitIndex(leader);
      newcomers[2]!.send("hello");
      await cluster.cluster.waitFor(
        () =>
          newcomers[2]!.inbox().filter((m) => /Many people are joining/.test(m.text ?? ""))
            .length === 2,
        WAIT_MS,
        "the second turn-away",
      );
      assert.is(
        leader.node.status().commitIndex,
        commitBefore,
        "turning a newcomer away wrote to Raft",
      );
      // A bootstrap admin always gets in.
      const admin = cluster.emulator.user(4199, { first_name: "Root", language_code: "en" });
      admin.send("/start");
      await admin.waitFor((message) => /Hi Root/.test(message.text ?? ""), WAIT_MS);
      assert.is(leader.state.user("4199")?.role, "admin");
    },
    { accessMode: "open", adminIds: ["4199"] },
  );
});

test.run();
