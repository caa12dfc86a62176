import { test } from "uvu";
import * as assert from "uvu/assert";
import { UserActionError } from "../../../../scripts/telegram-emulator/emulator.ts";
import type { Update } from "../../../../scripts/telegram-emulator/telegram-objects.ts";
import {
  BOT_ID,
  callMethod,
  resultOf,
  startedUser,
  withEmulator,
} from "../support/emulator-fixture.ts";

const GROUP = -1001234567890;

/** Every update queued now, confirming them so the next call sees only newer ones. */
async function takeUpdates(emulator: Parameters<typeof resultOf>[0]): Promise<Update[]> {
  const updates = await resultOf<Update[]>(emulator, "getUpdates", { timeout: 0 });
  const last = updates.at(-1);
  if (last) await resultOf(emulator, "getUpdates", { offset: last.update_id + 1, timeout: 0 });
  return updates;
}

function thrown(action: () => unknown): UserActionError {
  try {
    action();
  } catch (error) {
    if (error instanceof UserActionError) return error;
    throw error;
  }
  throw new Error("expected a UserActionError");
}

test("a user adds the bot to a group; it gets my_chat_member and members' messages; leaveChat takes it out and tells it so", async () => {
  await withEmulator(async (emulator) => {
    // As a bot starts: the emulator learns the bot's id from its token.
    await resultOf(emulator, "getMe");
    emulator.user(2001, { first_name: "Mallory" });
    const group = emulator.group(GROUP, { type: "supergroup", title: "Mirror" });
    assert.is(group.botIsMember(), false);
    const added = group.addBot(2001);
    assert.is(group.addBot(2001), null, "a second add changes nothing");
    group.send(2001, "/start@nexaloak_bot");
    const [membership, message] = await takeUpdates(emulator);
    assert.is(membership?.update_id, added);
    assert.ok(membership && "my_chat_member" in membership);
    const joined = membership.my_chat_member;
    assert.equal(joined.chat, { id: GROUP, type: "supergroup", title: "Mirror" });
    assert.is(joined.from.id, 2001);
    assert.equal(
      [
        joined.old_chat_member.status,
        joined.new_chat_member.status,
        joined.new_chat_member.user.id,
      ],
      ["left", "member", BOT_ID],
    );
    assert.ok(message && "message" in message);
    assert.equal(message.message.chat, { id: GROUP, type: "supergroup", title: "Mirror" });
    assert.is(message.message.entities?.[0]?.type, "bot_command");

    assert.is(await resultOf(emulator, "leaveChat", { chat_id: GROUP }), true);
    assert.is(group.botIsMember(), false);
    assert.is(group.leaveChatCalls(), 1);
    const [left] = await takeUpdates(emulator);
    assert.ok(left && "my_chat_member" in left);
    assert.equal(
      [
        left.my_chat_member.from.id,
        left.my_chat_member.old_chat_member.status,
        left.my_chat_member.new_chat_member.status,
      ],
      [BOT_ID, "member", "left"],
    );
  });
});

test("the bot added to a channel is an administrator there, and leaves it the same way", async () => {
  await withEmulator(async (emulator) => {
    const channel = emulator.group(-100777, { type: "channel", title: "News" });
    channel.addBot(2002);
    const [added] = await takeUpdates(emulator);
    assert.ok(added && "my_chat_member" in added);
    assert.is(added.my_chat_member.chat.type, "channel");
    assert.is(added.my_chat_member.new_chat_member.status, "administrator");
    assert.is(await resultOf(emulator, "leaveChat", { chat_id: String(-100777) }), true);
    assert.is(channel.botIsMember(), false);
  });
});

test("leaveChat is refused for a chat the bot is not in (403), an unknown chat and a private chat (400); every call for a group is counted", async () => {
  await withEmulator(async (emulator) => {
    const group = emulator.group(GROUP);
    group.addBot(2001);
    await resultOf(emulator, "leaveChat", { chat_id: GROUP });
    const again = await callMethod(emulator, "leaveChat", { chat_id: GROUP });
    assert.is(again.status, 403);
    assert.is(again.body.description, "Forbidden: bot is not a member of the supergroup chat");
    assert.is(group.leaveChatCalls(), 2);
    const unknown = await callMethod(emulator, "leaveChat", { chat_id: -42 });
    assert.equal([unknown.status, unknown.body.description], [400, "Bad Request: chat not found"]);
    const user = startedUser(emulator);
    const own = await callMethod(emulator, "leaveChat", { chat_id: user.id });
    assert.equal(
      [own.status, own.body.description],
      [400, "Bad Request: chat member status can't be changed in private chats"],
    );
    const missing = await callMethod(emulator, "leaveChat", {});
    assert.equal(
      [missing.status, missing.body.description],
      [400, "Bad Request: chat_id is empty"],
    );
  });
});

test("members write only in groups the bot is in, and never as channel posts; group ids are negative", async () => {
  await withEmulator(async (emulator) => {
    assert.is(thrown(() => emulator.group(GROUP).send(2001, "hi")).code, "BOT_NOT_IN_GROUP");
    const channel = emulator.group(-100777, { type: "channel", title: "News" });
    channel.addBot(2001);
    assert.is(thrown(() => channel.send(2001, "hi")).code, "NOT_A_GROUP");
    const group = emulator.group(GROUP);
    group.addBot(2001);
    assert.is(thrown(() => group.send(2001, " ")).code, "TEXT_EMPTY");
    assert.throws(() => emulator.group(5), /a group id is a negative whole number/);
  });
});

test.run();
