/**
 * The bot serves private chats only: added to a group, supergroup or
 * channel it leaves, once per chat, and proposes nothing to Raft.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { sleep } from "../../shared/sleep.ts";
import {
  messagesMatching,
  settledCommitIndex,
  WAIT_MS,
  withBotCluster,
} from "./support/bot-cluster.ts";

test("added to a group, the bot leaves once and proposes nothing, however many messages came first", async () => {
  await withBotCluster(async (cluster) => {
    const leader = await cluster.polling();
    const commitBefore = await settledCommitIndex(leader);
    const mallory = cluster.emulator.user(9001, { first_name: "Mallory", language_code: "en" });
    const group = cluster.emulator.group(-1009001, { type: "supergroup", title: "Mirror" });
    // All in one batch: the bot sees every message before its leaveChat goes out.
    group.addBot(9001);
    for (const text of ["/start", "/config", "/help", "hello"]) group.send(9001, text);
    await cluster.cluster.waitFor(() => !group.botIsMember(), WAIT_MS, "the bot to leave");
    // The emulator tells the bot it left (as Telegram does): that update is handled and confirmed too.
    await cluster.cluster.waitFor(
      () => cluster.emulator.pendingUpdates().length === 0,
      WAIT_MS,
      "every update confirmed to Telegram",
    );
    await sleep(200);
    assert.is(group.leaveChatCalls(), 1);
    assert.is(leader.node.status().commitIndex, commitBefore, "nothing was proposed");
    assert.is(leader.state.user("9001"), undefined, "the group's member was not recorded");
    assert.equal(mallory.inbox(), [], "nothing was said anywhere");
  });
});

test("added to a channel, the bot leaves it too", async () => {
  await withBotCluster(async (cluster) => {
    const leader = await cluster.polling();
    const commitBefore = await settledCommitIndex(leader);
    const channel = cluster.emulator.group(-1009002, { type: "channel", title: "News" });
    channel.addBot(9002);
    await cluster.cluster.waitFor(() => !channel.botIsMember(), WAIT_MS, "the bot to leave");
    await sleep(200);
    assert.is(channel.leaveChatCalls(), 1);
    assert.is(leader.node.status().commitIndex, commitBefore, "nothing was proposed");
  });
});

test("a message from a group whose membership update the bot never saw makes it leave, once", async () => {
  await withBotCluster(async (cluster) => {
    const leader = await cluster.polling();
    const commitBefore = await settledCommitIndex(leader);
    // Say an earlier leader confirmed the membership update and died before leaving.
    const group = cluster.emulator.group(-1009003, { type: "group", title: "Old" });
    const session = leader.bot.currentSession!;
    for (const [position, text] of ["/config", "/myconfigs"].entries())
      await session.handleUpdate({
        update_id: 1_000_000 + position,
        message: {
          message_id: position + 1,
          date: Math.floor(Date.now() / 1000),
          from: { id: 9003, is_bot: false, first_name: "Gus" },
          chat: { id: group.id, type: "group", title: "Old" },
          text,
          entities: [{ type: "bot_command", offset: 0, length: text.length }],
        },
      });
    // The emulator refuses: in its record the bot is not in that group. The bot asked once.
    assert.is(group.leaveChatCalls(), 1);
    assert.is(leader.node.status().commitIndex, commitBefore, "nothing was proposed");
  });
});

test("private chats are served as before next to a group the bot left", async () => {
  await withBotCluster(async (cluster) => {
    await cluster.polling();
    const group = cluster.emulator.group(-1009004);
    group.addBot(9004);
    const user = cluster.emulator.user(9004, { first_name: "Pia", language_code: "en" });
    user.send("/start");
    await user.waitFor((message) => /Hi Pia/.test(message.text ?? ""), WAIT_MS);
    await cluster.cluster.waitFor(() => !group.botIsMember(), WAIT_MS, "the bot to leave");
    assert.is(messagesMatching(user, /Hi Pia/).length, 1);
  });
});

test.run();
