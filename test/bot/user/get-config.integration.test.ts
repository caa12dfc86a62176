/**
 * Getting a config through the bot: the .conf as a document, its QR code as
 * a photo and instructions; a region choice when servers sit in several
 * regions; limits from the replicated settings; and exactly one config per
 * update however often the update is delivered.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseShadowsocksKey } from "../../../cluster/client-config/shadowsocks-key.ts";
import {
  arrivedUser,
  commandUpdate,
  messagesMatching,
  WAIT_MS,
  withBotCluster,
} from "../support/bot-cluster.ts";

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47]);

test("/config sends nexaloak-<server>.conf, its QR code and instructions, from the config in the state", async () => {
  await withBotCluster(async (cluster) => {
    const leader = await cluster.polling();
    const user = await arrivedUser(cluster, 2001, { first_name: "Ann" });
    user.send("/config");
    const document = await user.waitFor((message) => message.document !== undefined, WAIT_MS);
    const photo = await user.waitFor((message) => message.photo !== undefined, WAIT_MS);
    await user.waitFor((message) => /How to connect/.test(message.text ?? ""), WAIT_MS);
    const configs = leader.state.configsOfUser("2001");
    assert.is(configs.length, 1);
    const config = configs[0]!;
    assert.is(document.document!.fileName, `nexaloak-${config.serverId}.conf`);
    const conf = document.document!.bytes.toString("utf8");
    assert.match(conf, /\[Interface\]/);
    assert.match(conf, `Address = ${config.address}`);
    assert.ok(photo.photo!.bytes.subarray(0, 4).equals(PNG_SIGNATURE), "the QR code is a PNG");
    assert.equal(cluster.emulator.overlappingPolls(), []);
  });
});

test("the menu button gets a config too", async () => {
  await withBotCluster(async (cluster) => {
    await cluster.polling();
    const user = await arrivedUser(cluster, 2002, { first_name: "Bo" });
    const welcome = user.inbox().at(-1)!;
    user.press(welcome.messageId, "menu:config");
    await user.waitFor((message) => message.document !== undefined, WAIT_MS);
    assert.ok(user.callbackAnswers().length >= 1, "the button press was answered");
  });
});

test("with servers in two regions the user chooses one and gets a config there", async () => {
  await withBotCluster(
    async (cluster) => {
      const leader = await cluster.polling();
      const user = await arrivedUser(cluster, 2003, { first_name: "Cy" });
      user.send("/config");
      const choice = await user.waitFor(
        (message) => /Choose a region/.test(message.text ?? ""),
        WAIT_MS,
      );
      const buttons = choice.inlineKeyboard.flat().map((button) => button.text);
      assert.equal(buttons, ["eu", "us"]);
      user.press(choice.messageId, "config:region:wireguard:us");
      const document = await user.waitFor((message) => message.document !== undefined, WAIT_MS);
      assert.is(document.document!.fileName, "nexaloak-n3.conf");
      assert.is(leader.state.configsOfUser("2003")[0]?.serverId, "n3");
    },
    { regions: ["eu", "eu", "us"] },
  );
});

test("the configs-per-user limit is answered with how to get another, and nothing is issued", async () => {
  await withBotCluster(
    async (cluster) => {
      const leader = await cluster.polling();
      const user = await arrivedUser(cluster, 2004, { first_name: "Di" });
      user.send("/config");
      await user.waitFor((message) => message.document !== undefined, WAIT_MS);
      user.send("/config");
      await user.waitFor((message) => /the most allowed/.test(message.text ?? ""), WAIT_MS);
      assert.is(leader.state.configsOfUser("2004").length, 1);
    },
    { settings: { configsPerUser: "1" } },
  );
});

test("once sent, the config's private key is erased from the replicated state on every node", async () => {
  await withBotCluster(async (cluster) => {
    const leader = await cluster.polling();
    const user = await arrivedUser(cluster, 2007, { first_name: "Flo" });
    user.send("/config");
    const document = await user.waitFor((message) => message.document !== undefined, WAIT_MS);
    const privateKey = /PrivateKey = (\S+)/.exec(document.document!.bytes.toString("utf8"))![1]!;
    const configId = leader.state.configsOfUser("2007")[0]!.id;
    await cluster.cluster.waitFor(
      () =>
        [...cluster.cluster.members.values()].every(
          (member) => member.state.config(configId)?.keysErasedReason === "delivered",
        ),
      WAIT_MS,
      "the delivery keys erased on every node",
    );
    for (const member of cluster.cluster.members.values()) {
      const config = member.state.config(configId)!;
      assert.is(config.deliveryKeysSealed, null);
      assert.ok(config.serverPresharedKeySealed !== null, "the server keeps its own copy");
      assert.not.ok(member.state.snapshot().includes(privateKey));
    }
  });
});

test("an update delivered twice issues one config; the repeat, its key erased, says to download it again", async () => {
  await withBotCluster(async (cluster) => {
    const leader = await cluster.polling();
    const user = await arrivedUser(cluster, 2005, { first_name: "Ed" });
    const sent = user.send("/config");
    await user.waitFor((message) => message.document !== undefined, WAIT_MS);
    await user.waitFor((message) => /How to connect/.test(message.text ?? ""), WAIT_MS);
    const configId = leader.state.configsOfUser("2005")[0]!.id;
    await cluster.cluster.waitFor(
      () => leader.state.config(configId)?.deliveryKeysSealed === null,
      WAIT_MS,
      "the key erased after delivery",
    );
    const session = leader.bot.currentSession!;
    await session.handleUpdate(commandUpdate(sent, { id: 2005, first_name: "Ed" }, "/config"));
    await user.waitFor((message) => /Download|download|new key/.test(message.text ?? ""), WAIT_MS);
    assert.is(
      user.inbox().filter((message) => message.document !== undefined).length,
      1,
      "the private key is not sent again",
    );
    assert.is(leader.state.configsOfUser("2005").length, 1);
  });
});

test("a Persian user is answered in Persian, and /language switches to Russian", async () => {
  await withBotCluster(async (cluster) => {
    const leader = await cluster.polling();
    const user = await arrivedUser(cluster, 2006, { first_name: "Sara", language_code: "fa" });
    assert.match(user.inbox().at(-1)!.text!, /سلام Sara/);
    user.send("/language");
    const choice = await user.waitFor(
      (message) => message.inlineKeyboard.length > 0 && /زبان/.test(message.text ?? ""),
      WAIT_MS,
    );
    user.press(choice.messageId, "lang:ru");
    await user.waitFor((message) => /по-русски/.test(message.text ?? ""), WAIT_MS);
    assert.is(leader.state.user("2006")?.language, "ru");
    user.send("/help");
    await user.waitFor((message) => /получить новый конфиг/.test(message.text ?? ""), WAIT_MS);
    assert.ok(messagesMatching(user, /Hi /).length === 0, "never answered in English");
  });
});

test("with Shadowsocks offered too, /config asks for a protocol and sends the ss:// key, its QR code and Outline and v2rayNG steps", async () => {
  await withBotCluster(
    async (cluster) => {
      const leader = await cluster.polling();
      const user = await arrivedUser(cluster, 2010, { first_name: "Gil" });
      user.send("/config");
      const choice = await user.waitFor(
        (message) => /Choose a protocol/.test(message.text ?? ""),
        WAIT_MS,
      );
      assert.equal(
        choice.inlineKeyboard.flat().map((button) => button.text),
        ["WireGuard", "Shadowsocks"],
      );
      user.press(choice.messageId, "config:protocol:shadowsocks");
      const keyMessage = await user.waitFor(
        (message) => /^ss:\/\//.test(message.text ?? ""),
        WAIT_MS,
      );
      const photo = await user.waitFor((message) => message.photo !== undefined, WAIT_MS);
      await user.waitFor((message) => /Outline:.*\n.*v2rayNG:/s.test(message.text ?? ""), WAIT_MS);
      assert.ok(photo.photo!.bytes.subarray(0, 4).equals(PNG_SIGNATURE));
      const config = leader.state.configsOfUser("2010")[0]!;
      assert.is(config.protocol, "shadowsocks");
      assert.is(config.serverId, "n2", "only n2 offers Shadowsocks");
      const key = parseShadowsocksKey(keyMessage.text!)!;
      assert.equal(
        [key.host, key.port, key.method],
        ["198.51.100.2", config.shadowsocks!.port, "chacha20-ietf-poly1305"],
      );
      assert.is(
        user.inbox().filter((message) => message.document !== undefined).length,
        0,
        "no .conf",
      );

      // The choice is remembered: offered first and marked next time.
      assert.is(leader.state.user("2010")!.preferredProtocol, "shadowsocks");
      user.send("/config");
      const again = await user.waitFor(
        (message) =>
          message.messageId !== choice.messageId && /Choose a protocol/.test(message.text ?? ""),
        WAIT_MS,
      );
      assert.equal(
        again.inlineKeyboard.flat().map((button) => button.text),
        ["Shadowsocks ✓", "WireGuard"],
      );
    },
    { shadowsocksOn: ["n2"], settings: { configsPerUser: "3" } },
  );
});

test("with WireGuard alone on offer, /config asks nothing", async () => {
  await withBotCluster(async (cluster) => {
    await cluster.polling();
    const user = await arrivedUser(cluster, 2011, { first_name: "Hal" });
    user.send("/config");
    await user.waitFor((message) => message.document !== undefined, WAIT_MS);
    assert.not.ok(user.inbox().some((message) => /Choose a protocol/.test(message.text ?? "")));
  });
});

test.run();
