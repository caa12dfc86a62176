/**
 * Leader-only polling: the bot runs on the leader alone, stops at once when
 * leadership moves (aborting its pending getUpdates and calling Telegram no
 * more), and the new leader resumes from the replicated offset. The
 * emulator's poll log proves that polls never overlapped.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { sleep } from "../../shared/sleep.ts";
import { type BotCluster, type BotMember, WAIT_MS, withBotCluster } from "./support/bot-cluster.ts";

test("only the leader polls, and a user's /start is answered", async () => {
  await withBotCluster(async ({ emulator, polling, activeBots }) => {
    const leader = await polling();
    const user = emulator.user(1001, { first_name: "Ann", language_code: "en" });
    user.send("/start");
    const welcome = await user.waitFor((message) => /Hi Ann/.test(message.text ?? ""), WAIT_MS);
    assert.ok(welcome.inlineKeyboard.length > 0, "the welcome carries the main menu");
    assert.equal(
      activeBots().map((member) => member.id),
      [leader.id],
    );
    assert.equal(emulator.overlappingPolls(), []);
  });
});

/** Hands leadership to another node and waits until that node's bot polls. */
async function moveLeadership(cluster: BotCluster, from: BotMember): Promise<BotMember> {
  from.node.transferLeadership();
  await cluster.cluster.waitFor(
    () =>
      !from.bot.active &&
      [...cluster.members.values()].some((m) => m.node.isLeader() && m !== from),
    WAIT_MS,
    "leadership to move",
  );
  return cluster.polling();
}

test("leadership moves five times: one poller at a time, and every message is answered exactly once", async () => {
  await withBotCluster(async (cluster) => {
    const { emulator } = cluster;
    let leader = await cluster.polling();
    const user = emulator.user(1002, { first_name: "Bo", language_code: "en" });
    user.send("/start");
    await user.waitFor((message) => /Hi Bo/.test(message.text ?? ""), WAIT_MS);
    const leaders = [leader.id];
    for (let round = 1; round <= 5; round++) {
      leader = await moveLeadership(cluster, leader);
      leaders.push(leader.id);
      const sent = user.send("/help");
      await cluster.cluster.waitFor(
        () =>
          user.inbox().filter((message) => message.text?.startsWith("/config:")).length === round,
        WAIT_MS,
        `help answer ${round}`,
      );
      // Answered and confirmed to Telegram by the next poll: no leader gets it again. (An
      // update answered but not yet confirmed when leadership moves is answered again; see
      // the next test.)
      await cluster.cluster.waitFor(
        () => emulator.polls().some((poll) => (poll.offset ?? 0) > sent.updateId),
        WAIT_MS,
        `the /help of round ${round} confirmed`,
      );
    }
    await sleep(100);
    const helps = user.inbox().filter((message) => message.text?.startsWith("/config:"));
    assert.is(helps.length, 5, "each /help answered once");
    assert.ok(new Set(leaders).size >= 2, `leadership moved: ${leaders.join(" -> ")}`);
    assert.equal(emulator.overlappingPolls(), []);
    assert.is(cluster.activeBots().length, 1);
  });
});

test("leadership moves while the bot polls: the old leader's poll has ended (at once, or aborted) before the new leader's starts", async () => {
  await withBotCluster(async (cluster) => {
    const { emulator } = cluster;
    const leader = await cluster.polling();
    const waiting = await emulator.waitForPolling(WAIT_MS);
    const next = await moveLeadership(cluster, leader);
    assert.is.not(next.id, leader.id);
    const polls = emulator.polls();
    const old = polls.find((poll) => poll.id === waiting.id)!;
    assert.ok(old.outcome === "aborted" || old.outcome === "empty", `ended: ${old.outcome}`);
    const later = polls.filter((poll) => poll.id > waiting.id);
    assert.ok(later.length > 0);
    for (const poll of later)
      assert.ok(poll.startedAt >= old.endedAt!, "no poll began before the old one ended");
    assert.equal(emulator.overlappingPolls(), []);
    assert.not.ok(
      later.some((poll) => poll.limit === 1 && poll.timeout === 0),
      "the former leader made no confirming getUpdates",
    );
  });
});

test("a new leader's first poll takes Telegram's position: everything answered was confirmed before", async () => {
  await withBotCluster(async (cluster) => {
    const { emulator } = cluster;
    const leader = await cluster.polling();
    const user = emulator.user(1003, { first_name: "Cy", language_code: "en" });
    user.send("/start");
    user.send("/help");
    await user.waitFor((message) => message.text?.startsWith("/config:") === true, WAIT_MS);
    await cluster.cluster.waitFor(
      () => emulator.pendingUpdates().length === 0,
      WAIT_MS,
      "the answered updates to be confirmed",
    );
    const handledThrough = leader.state.updateOffset();
    const before = emulator.polls().length;
    const next = await moveLeadership(cluster, leader);
    const firstPoll = emulator.polls()[before]!;
    assert.is(
      firstPoll.offset,
      null,
      "no offset: Telegram answers from the first unconfirmed update",
    );
    assert.equal(firstPoll.updateIds, []);
    assert.is(next.state.updateOffset(), handledThrough);
    assert.is(user.inbox().filter((message) => message.text?.startsWith("/config:")).length, 1);
  });
});

test("an update committed but not yet answered when leadership moves is answered by the new leader from the same result", async () => {
  await withBotCluster(async (cluster) => {
    const { emulator } = cluster;
    const leader = await cluster.polling();
    const user = emulator.user(1005, { first_name: "Fay", language_code: "en" });
    user.send("/start");
    await user.waitFor((message) => /Hi Fay/.test(message.text ?? ""), WAIT_MS);
    // The answer now waits behind flood control (429, retry after two seconds)...
    emulator.failNext("sendDocument", {
      error_code: 429,
      description: "Too Many Requests: retry after 2",
      parameters: { retry_after: 2 },
    });
    const sent = user.send("/config");
    await cluster.cluster.waitFor(
      () => leader.state.configsOfUser("1005").length === 1,
      WAIT_MS,
      "the config to commit",
    );
    // ...when leadership moves: the old leader sends nothing more.
    const pollsBefore = emulator.polls().length;
    const next = await moveLeadership(cluster, leader);
    const document = await user.waitFor((message) => message.document !== undefined, WAIT_MS);
    const config = next.state.configsOfUser("1005");
    assert.is(config.length, 1, "one config, however often the update came");
    assert.match(document.document!.bytes.toString("utf8"), `Address = ${config[0]!.address}`);
    await sleep(300);
    assert.is(user.inbox().filter((message) => message.document !== undefined).length, 1);
    assert.ok(
      emulator
        .polls()
        .slice(pollsBefore)
        .some((poll) => poll.updateIds.includes(sent.updateId)),
      "Telegram delivered the unanswered update again, to the new leader",
    );
    assert.equal(emulator.overlappingPolls(), []);
  });
});

test("leadership moves mid-conversation: the region button pressed afterwards is handled once, by the new leader", async () => {
  await withBotCluster(
    async (cluster) => {
      const { emulator } = cluster;
      const leader = await cluster.polling();
      const user = emulator.user(1006, { first_name: "Gus", language_code: "en" });
      user.send("/start");
      await user.waitFor((message) => /Hi Gus/.test(message.text ?? ""), WAIT_MS);
      user.send("/config");
      const choice = await user.waitFor(
        (message) => /Choose a region/.test(message.text ?? ""),
        WAIT_MS,
      );
      const next = await moveLeadership(cluster, leader);
      user.press(choice.messageId, "config:region:wireguard:us");
      await user.waitFor((message) => message.document !== undefined, WAIT_MS);
      await sleep(200);
      assert.is(user.inbox().filter((message) => message.document !== undefined).length, 1);
      assert.equal(
        next.state.configsOfUser("1006").map((config) => config.serverId),
        ["n3"],
      );
      assert.equal(emulator.overlappingPolls(), []);
    },
    { regions: ["eu", "eu", "us"] },
  );
});

test("a leader cut off from its peers stops polling before another node leads; messages sent meanwhile are answered once", async () => {
  await withBotCluster(async (cluster) => {
    const { emulator } = cluster;
    const user = emulator.user(1004, { first_name: "Di", language_code: "en" });
    user.send("/start");
    await user.waitFor((message) => /Hi Di/.test(message.text ?? ""), WAIT_MS);
    for (let round = 1; round <= 3; round++) {
      const leader = await cluster.polling();
      cluster.cluster.isolate(leader.id);
      user.send("/help");
      await cluster.cluster.waitFor(
        () => !leader.bot.active,
        WAIT_MS,
        "the cut-off leader to stop",
      );
      const next = await cluster.polling();
      assert.is.not(next.id, leader.id);
      await user.waitFor(
        () =>
          user.inbox().filter((message) => message.text?.startsWith("/config:")).length === round,
        WAIT_MS,
      );
      cluster.cluster.heal();
    }
    await sleep(200);
    assert.is(user.inbox().filter((message) => message.text?.startsWith("/config:")).length, 3);
    assert.equal(emulator.overlappingPolls(), []);
  });
});

test("a cut-off leader whose followers notice at once (its sockets closed) still never polls alongside the next leader", async () => {
  await withBotCluster(async (cluster) => {
    const { emulator } = cluster;
    for (let round = 1; round <= 3; round++) {
      const leader = await cluster.polling();
      cluster.cluster.isolate(leader.id);
      for (const member of cluster.members.values())
        if (member !== leader) member.node.peerDisconnected(leader.id);
      const next = await cluster.cluster.waitFor(
        () => [...cluster.members.values()].find((m) => m !== leader && m.node.isLeader()),
        WAIT_MS,
        "a new leader",
      );
      await cluster.cluster.waitFor(
        () => !leader.bot.active,
        WAIT_MS,
        "the cut-off leader to stop",
      );
      assert.is((await cluster.polling()).id, next.id);
      cluster.cluster.heal();
    }
    assert.equal(emulator.overlappingPolls(), []);
  });
});

test.run();
