/**
 * What a new user meets first: a config asked for in the very first
 * message, plain text answered with a hint in their language, configs that
 * never share a name, and an answer when an admin turns them down.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { sleep } from "../../../shared/sleep.ts";
import {
  arrivedUser,
  ask,
  commandUpdate,
  messagesMatching,
  settledCommitIndex,
  WAIT_MS,
  withBotCluster,
} from "../support/bot-cluster.ts";

test("open mode: a first message /config brings the welcome and a config at once; delivered again, nothing again", async () => {
  await withBotCluster(async (cluster) => {
    const leader = await cluster.polling();
    const newcomer = cluster.emulator.user(3101, { first_name: "Dana", language_code: "en" });
    const sent = newcomer.send("/config");
    // The first QR code of a node starts its drawing thread: it may take a few seconds.
    await newcomer.waitFor((message) => /How to connect/.test(message.text ?? ""), WAIT_MS * 3);
    assert.ok(messagesMatching(newcomer, /^Hi Dana!/).length === 1, "welcomed first");
    assert.is(newcomer.inbox().filter((message) => message.document).length, 1);
    assert.is(leader.state.configsOfUser("3101").length, 1);
    // Telegram delivers the first message again (say the leader changed before confirming it):
    // every message of its reply went out already, so none is sent again.
    const received = newcomer.inbox().length;
    await leader.bot.currentSession!.handleUpdate(
      commandUpdate(sent, { id: 3101, first_name: "Dana", language_code: "en" }, "/config"),
    );
    await sleep(300);
    assert.is(newcomer.inbox().length, received, "no message of the reply again");
    assert.is(leader.state.configsOfUser("3101").length, 1, "the same config, not a second");
  });
});

test("invite and approval modes: a first message /config is told what to do, and gets no config", async () => {
  for (const accessMode of ["invite", "approval"] as const) {
    await withBotCluster(
      async (cluster) => {
        const leader = await cluster.polling();
        const newcomer = cluster.emulator.user(3102, { first_name: "Eve", language_code: "en" });
        newcomer.send("/config");
        const pattern = accessMode === "invite" ? /works by invitation/ : /asked to approve you/;
        await newcomer.waitFor((message) => pattern.test(message.text ?? ""), WAIT_MS);
        await sleep(200);
        assert.is(newcomer.inbox().filter((message) => message.document).length, 0, accessMode);
        assert.is(leader.state.configsOfUser("3102").length, 0, accessMode);
      },
      { accessMode },
    );
  }
});

test("plain text gets a short hint and the menu in the sender's language, and writes nothing to Raft", async () => {
  await withBotCluster(async (cluster) => {
    const leader = await cluster.polling();
    const ann = await arrivedUser(cluster, 3103, { first_name: "Ann", language_code: "en" });
    const ivan = await arrivedUser(cluster, 3104, { first_name: "Иван", language_code: "ru" });
    const sara = await arrivedUser(cluster, 3105, { first_name: "Sara", language_code: "fa" });
    const commitBefore = await settledCommitIndex(leader);
    const { answer: english } = await ask(cluster, ann, "hello", /commands and buttons/);
    assert.match(english.text!, /^I understand commands and buttons only\. .*\/help\.$/);
    assert.ok(
      english.inlineKeyboard
        .flat()
        .some((button) => "callback_data" in button && button.callback_data === "menu:config"),
    );
    const { answer: russian } = await ask(cluster, ivan, "привет", /команды и кнопки/);
    assert.ok(russian.inlineKeyboard.flat().length >= 4, "the menu");
    const { answer: persian } = await ask(cluster, sara, "سلام", /دکمه‌ها/);
    assert.is(
      persian.text,
      "\u200Fمن فقط فرمان‌ها و دکمه‌ها را می‌فهمم. یکی از دکمه‌های زیر را بزنید یا \u2066/help\u2069 را ببینید.",
    );
    assert.is(leader.node.status().commitIndex, commitBefore, "nothing was proposed");
  });
});

test("two configs on one server get different names, in their files and in /myconfigs, with their dates", async () => {
  await withBotCluster(async (cluster) => {
    const leader = await cluster.polling();
    const user = await arrivedUser(cluster, 3106, { first_name: "Fay" });
    for (let wanted = 1; wanted <= 2; wanted++) {
      user.send("/config");
      await cluster.cluster.waitFor(
        () => messagesMatching(user, /How to connect/).length === wanted,
        WAIT_MS * 3,
        `config ${wanted} and how to import it`,
      );
    }
    const configs = leader.state.configsOfUser("3106");
    assert.is(configs.length, 2);
    const [first, second] = configs.map((config) => config.serverId);
    const files = user
      .inbox()
      .filter((message) => message.document)
      .map((message) => message.document!.fileName);
    assert.equal(files, [`nexaloak-${first}-1.conf`, `nexaloak-${second}-2.conf`]);
    const { answer: list } = await ask(cluster, user, "/myconfigs", /Your configs \(2\)/);
    const rows = list.text!.split("\n").slice(1);
    assert.match(
      rows[0]!,
      new RegExp(
        `^• nexaloak-${first}-1: server ${first} \\(default\\), created \\d{4}-\\d{2}-\\d{2}`,
      ),
    );
    assert.match(rows[1]!, new RegExp(`^• nexaloak-${second}-2: server ${second} `));
    assert.equal(
      list.inlineKeyboard.flat().map((button) => button.text),
      [
        `⬇️ nexaloak-${first}-1`,
        `🗑 Revoke nexaloak-${first}-1`,
        `⬇️ nexaloak-${second}-2`,
        `🗑 Revoke nexaloak-${second}-2`,
      ],
    );
  });
});

test("a user an admin rejects is told so, in their language", async () => {
  await withBotCluster(
    async (cluster) => {
      await cluster.polling();
      const admin = await arrivedUser(cluster, 3107, { first_name: "Root" });
      const waiting = cluster.emulator.user(3108, { first_name: "Gil", language_code: "ru" });
      waiting.send("/start");
      await waiting.waitFor((message) => /одобрить/.test(message.text ?? ""), WAIT_MS);
      const { answer: list } = await ask(cluster, admin, "/approve", /Waiting for approval \(1\)/);
      admin.press(list.messageId, "adm:reject:3108");
      await admin.waitFor(
        (message) => /3108 is rejected .* has been told/.test(message.text ?? ""),
        WAIT_MS,
      );
      const told = await waiting.waitFor(
        (message) => /не одобрил/.test(message.text ?? ""),
        WAIT_MS,
      );
      assert.is(
        told.text,
        "Администратор не одобрил ваш запрос, поэтому бот не может выдать вам конфиг.",
      );
    },
    { accessMode: "approval", adminIds: ["3107"] },
  );
});

test.run();
