/** /myconfigs: a user's own live configs, downloaded again or revoked after a confirmation. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { arrivedUser, WAIT_MS, withBotCluster } from "../support/bot-cluster.ts";

test("/myconfigs lists only the user's own live configs, with server, created and expiry", async () => {
  await withBotCluster(async (cluster) => {
    await cluster.polling();
    const ann = await arrivedUser(cluster, 3001, { first_name: "Ann" });
    const bob = await arrivedUser(cluster, 3002, { first_name: "Bob" });
    ann.send("/config");
    await ann.waitFor((message) => message.document !== undefined, WAIT_MS);
    bob.send("/myconfigs");
    await bob.waitFor((message) => /no configs yet/.test(message.text ?? ""), WAIT_MS);
    ann.send("/myconfigs");
    const list = await ann.waitFor(
      (message) => /Your configs \(1\)/.test(message.text ?? ""),
      WAIT_MS,
    );
    assert.match(list.text!, /created \d{4}-\d{2}-\d{2}, expires \d{4}-\d{2}-\d{2}/);
    assert.is(list.inlineKeyboard.flat().length, 2, "download and revoke");
  });
});

test("a config downloaded again comes with a new key pair, the same address, and says the old file stops working", async () => {
  await withBotCluster(async (cluster) => {
    const leader = await cluster.polling();
    const user = await arrivedUser(cluster, 3003, { first_name: "Cy" });
    user.send("/config");
    const first = await user.waitFor((message) => message.document !== undefined, WAIT_MS);
    const before = leader.state.configsOfUser("3003")[0]!;
    user.send("/myconfigs");
    const list = await user.waitFor((message) => /Your configs/.test(message.text ?? ""), WAIT_MS);
    user.press(list.messageId, `cfg:get:${before.id}`);
    await user.waitFor((message) => /new key/.test(message.text ?? ""), WAIT_MS);
    await cluster.cluster.waitFor(
      () => user.inbox().filter((message) => message.document !== undefined).length === 2,
      WAIT_MS,
      "the download",
    );
    const [firstConf, secondConf] = user
      .inbox()
      .filter((message) => message.document !== undefined)
      .map((message) => message.document!.bytes.toString("utf8"));
    const privateKeyOf = (conf: string) => /PrivateKey = (\S+)/.exec(conf)?.[1];
    const addressOf = (conf: string) => /Address = (\S+)/.exec(conf)?.[1];
    assert.is.not(privateKeyOf(secondConf!), privateKeyOf(firstConf!), "a new private key");
    assert.is(addressOf(secondConf!), addressOf(firstConf!), "the same address");
    assert.ok(first.document);
    const after = leader.state.config(before.id)!;
    assert.is.not(after.clientPublicKey, before.clientPublicKey);
    assert.is(after.address, before.address);
    await cluster.cluster.waitFor(
      () =>
        leader.state
          .desiredPeers(after.serverId)
          .some((peer) => peer.publicKey === after.clientPublicKey) &&
        !leader.state
          .desiredPeers(after.serverId)
          .some((peer) => peer.publicKey === before.clientPublicKey),
      WAIT_MS,
      "the server's peer to move to the new key",
    );
  });
});

test("revoking asks first; No keeps the config, Yes revokes it", async () => {
  await withBotCluster(async (cluster) => {
    const leader = await cluster.polling();
    const user = await arrivedUser(cluster, 3004, { first_name: "Di" });
    user.send("/config");
    await user.waitFor((message) => message.document !== undefined, WAIT_MS);
    const configId = leader.state.configsOfUser("3004")[0]!.id;
    user.send("/myconfigs");
    const list = await user.waitFor((message) => /Your configs/.test(message.text ?? ""), WAIT_MS);
    user.press(list.messageId, `cfg:revoke:${configId}`);
    let question = await user.waitFor(
      (message) => /Revoke your config/.test(message.text ?? ""),
      WAIT_MS,
    );
    user.press(question.messageId, "cfg:keep");
    await user.waitFor((message) => /Nothing was changed/.test(message.text ?? ""), WAIT_MS);
    assert.is(leader.state.config(configId)?.revokedAt, null);
    user.press(list.messageId, `cfg:revoke:${configId}`);
    await cluster.cluster.waitFor(
      () =>
        user.inbox().filter((message) => /Revoke your config/.test(message.text ?? "")).length ===
        2,
      WAIT_MS,
      "the second question",
    );
    question = user.inbox().filter((message) => /Revoke your config/.test(message.text ?? ""))[1]!;
    user.press(question.messageId, `cfg:revoke-yes:${configId}`);
    await user.waitFor((message) => /is revoked/.test(message.text ?? ""), WAIT_MS);
    assert.ok(cluster.members.get(leader.id)!.state.config(configId)?.revokedAt !== null);
  });
});

test.run();
