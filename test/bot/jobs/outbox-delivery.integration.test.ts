/**
 * The leader delivers the replicated outbox: exactly once without a
 * failover, at least once across one, paced per chat, and a user who
 * blocked the bot is marked failed instead of retried forever.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { API_ACTOR } from "../../../cluster/fsm/actors.ts";
import { sleep } from "../../../shared/sleep.ts";
import {
  arrivedUser,
  type BotCluster,
  type BotMember,
  messagesMatching,
  WAIT_MS,
  withBotCluster,
} from "../support/bot-cluster.ts";

/** Queues a broadcast through the leader; returns the ids of its outbox entries, in join order. */
async function broadcast(leader: BotMember, text: string): Promise<string[]> {
  const { value } = await leader.service.run({
    type: "broadcast",
    text,
    actor: API_ACTOR,
    at: Date.now(),
  });
  assert.ok(value, "a fresh broadcast has its result");
  const index = value.broadcastId.slice(1);
  return Array.from({ length: value.queued }, (_, n) => `o${index}-${n}`);
}

async function allDelivered(cluster: BotCluster, leader: BotMember, ids: string[]) {
  await cluster.cluster.waitFor(
    () => ids.every((id) => leader.state.outboxEntry(id)?.status !== "pending"),
    WAIT_MS * 2,
    "every entry to be marked",
  );
}

test("without a failover every entry is delivered exactly once and marked delivered", async () => {
  await withBotCluster(async (cluster) => {
    const leader = await cluster.polling();
    const users = [];
    for (let id = 6001; id <= 6010; id++) users.push(await arrivedUser(cluster, id));
    const ids = await broadcast(leader, "Hello, everyone");
    assert.is(ids.length, 10);
    await allDelivered(cluster, leader, ids);
    await sleep(300);
    for (const user of users) assert.is(messagesMatching(user, /^Hello, everyone$/).length, 1);
    for (const id of ids) {
      const entry = leader.state.outboxEntry(id)!;
      assert.is(entry.status, "delivered");
      assert.is(entry.attempts, 1);
    }
  });
});

test("a banned server's user gets the new config with an explanation, and the admin an alert", async () => {
  await withBotCluster(
    async (cluster) => {
      const leader = await cluster.polling();
      const admin = await arrivedUser(cluster, 6100, { first_name: "Root" });
      const user = await arrivedUser(cluster, 6101, { first_name: "Ann" });
      user.send("/config");
      await user.waitFor((message) => message.document !== undefined, WAIT_MS);
      const old = leader.state.configsOfUser("6101")[0]!;
      await leader.service.setServerStatus({
        serverId: old.serverId,
        status: "banned",
        reason: "filtered",
        actor: API_ACTOR,
      });
      await user.waitFor((message) => /you have been moved to/.test(message.text ?? ""), WAIT_MS);
      await cluster.cluster.waitFor(
        () => user.inbox().filter((message) => message.document !== undefined).length === 2,
        WAIT_MS,
        "the new config",
      );
      const replacement = leader.state.config(leader.state.config(old.id)!.replacedBy!)!;
      const document = user.inbox().filter((message) => message.document !== undefined)[1]!;
      assert.is(document.document!.fileName, `nexaloak-${replacement.serverId}-2.conf`);
      assert.match(document.document!.bytes.toString("utf8"), `Address = ${replacement.address}`);
      await user.waitFor(
        (message) => message.photo !== undefined && message.messageId > document.messageId,
        WAIT_MS,
      );
      await admin.waitFor(
        (message) => new RegExp(`Server ${old.serverId} was banned`).test(message.text ?? ""),
        WAIT_MS,
      );
    },
    { adminIds: ["6100"] },
  );
});

test("a user who blocked the bot is marked failed for good and not retried", async () => {
  await withBotCluster(async (cluster) => {
    const leader = await cluster.polling();
    const reader = await arrivedUser(cluster, 6201);
    const blocker = await arrivedUser(cluster, 6202);
    blocker.block();
    const ids = await broadcast(leader, "News");
    await allDelivered(cluster, leader, ids);
    const [toReader, toBlocker] = ids.map((id) => leader.state.outboxEntry(id)!);
    assert.is(toReader!.status, "delivered");
    assert.is(toBlocker!.status, "failed");
    assert.match(toBlocker!.lastError ?? "", /403|blocked/);
    await sleep(500);
    assert.is(leader.state.outboxEntry(ids[1]!)!.attempts, 1, "not retried");
    assert.is(messagesMatching(reader, /^News$/).length, 1);
  });
});

test("messages to one chat are paced to one a second", async () => {
  await withBotCluster(async (cluster) => {
    const leader = await cluster.polling();
    const user = await arrivedUser(cluster, 6301);
    const ids = [...(await broadcast(leader, "one")), ...(await broadcast(leader, "two"))];
    await allDelivered(cluster, leader, ids);
    const [first, second] = [
      messagesMatching(user, /^one$/)[0]!,
      messagesMatching(user, /^two$/)[0]!,
    ];
    assert.ok(second.sentAt - first.sentAt >= 900, `${second.sentAt - first.sentAt} ms apart`);
  });
});

test("approval notices come one per admin at a time, the next after approvalNoticeMinutes, saying how many wait; a demoted admin gets no more", async () => {
  const [ROOT, SECOND] = [6500, 6501];
  const APPROVAL_NOTICE = /wait(s)? for approval/;
  await withBotCluster(
    async (cluster) => {
      const leader = await cluster.polling();
      const root = await arrivedUser(cluster, ROOT, { first_name: "Root" });
      const second = await arrivedUser(cluster, SECOND, { first_name: "Sec" });
      const signUp = async (id: number) => {
        const user = cluster.emulator.user(id, { first_name: `New${id}`, language_code: "en" });
        user.send("/start");
        await user.waitFor((message) => /asked to approve/.test(message.text ?? ""), WAIT_MS);
      };
      for (const id of [6502, 6503, 6504]) await signUp(id);
      for (const admin of [root, second])
        await admin.waitFor((message) => APPROVAL_NOTICE.test(message.text ?? ""), WAIT_MS);
      // Well past a few delivery scans: a wave of sign-ups brings one notice per admin.
      await signUp(6505);
      await sleep(1000);
      for (const admin of [root, second])
        assert.is(messagesMatching(admin, APPROVAL_NOTICE).length, 1, `admin ${admin.id}`);
      await leader.service.run({
        type: "setUserRole",
        userId: String(SECOND),
        role: "user",
        actor: API_ACTOR,
        at: leader.service.now(),
      });
      cluster.setClockShift(11 * 60_000);
      const next = await root.waitFor(
        (message) => /^🕓 4 users wait for approval/.test(message.text ?? ""),
        WAIT_MS,
      );
      assert.match(next.text!, /New6502 \(6502\), New6503 \(6503\), New6504 \(6504\), New6505/);
      assert.match(next.text!, /Review them with \/approve\./);
      await cluster.cluster.waitFor(
        () => leader.state.pendingOutbox().every((entry) => entry.chatId !== String(SECOND)),
        WAIT_MS,
        "the demoted admin's notice to be settled",
      );
      assert.is(
        messagesMatching(second, APPROVAL_NOTICE).length,
        1,
        "no notice after the demotion",
      );
    },
    { adminIds: [String(ROOT), String(SECOND)], accessMode: "approval" },
  );
});

test("across a failover every entry is delivered at least once, by the new leader if need be", async () => {
  await withBotCluster(async (cluster) => {
    const leader = await cluster.polling();
    const users = [];
    for (let id = 6401; id <= 6420; id++) users.push(await arrivedUser(cluster, id));
    // Over thirty a second the leader cannot send them all before it steps down.
    const ids = [...(await broadcast(leader, "first")), ...(await broadcast(leader, "second"))];
    leader.node.transferLeadership();
    await cluster.cluster.waitFor(() => !leader.bot.active, WAIT_MS, "the old leader to stop");
    const next = await cluster.polling();
    await allDelivered(cluster, next, ids);
    for (const user of users) {
      assert.ok(messagesMatching(user, /^first$/).length >= 1, `user ${user.id} got the first`);
      assert.ok(messagesMatching(user, /^second$/).length >= 1, `user ${user.id} got the second`);
    }
    assert.ok(ids.every((id) => next.state.outboxEntry(id)?.status === "delivered"));
    assert.equal(cluster.emulator.overlappingPolls(), []);
  });
});

test.run();
