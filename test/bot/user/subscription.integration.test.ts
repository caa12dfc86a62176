/** /subscription: the user's self-updating URL with its QR code; `reset` replaces it. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { subscriptionTokenDigest } from "../../../cluster/subscription/subscription-token.ts";
import { arrivedUser, WAIT_MS, withBotCluster } from "../support/bot-cluster.ts";

const URL_PATTERN = /https?:\/\/\S+\/s\/([A-Za-z0-9_-]{43})/;

test("/subscription shows the URL and its QR code; asked again, the same URL with no new token; reset gives a new one and the old finds nobody", async () => {
  await withBotCluster(async (cluster) => {
    const leader = await cluster.polling();
    const user = await arrivedUser(cluster, 3101, { first_name: "Eve" });
    user.send("/subscription");
    const first = await user.waitFor((message) => URL_PATTERN.test(message.text ?? ""), WAIT_MS);
    const photo = await user.waitFor((message) => message.photo !== undefined, 3 * WAIT_MS);
    assert.ok(photo.photo!.bytes.length > 0, "the QR code");
    const token = URL_PATTERN.exec(first.text!)![1]!;
    assert.is(leader.state.userIdOfSubscriptionDigest(subscriptionTokenDigest(token)), "3101");
    const issuedAt = leader.state.subscriptionOf("3101")!.issuedAt;

    user.send("/subscription");
    await cluster.cluster.waitFor(
      () => user.inbox().filter((message) => URL_PATTERN.test(message.text ?? "")).length === 2,
      WAIT_MS,
      "the second answer",
    );
    const second = user.inbox().filter((message) => URL_PATTERN.test(message.text ?? ""))[1]!;
    assert.is(URL_PATTERN.exec(second.text!)![1], token);
    assert.is(leader.state.subscriptionOf("3101")!.issuedAt, issuedAt, "nothing re-issued");

    user.send("/subscription reset");
    await cluster.cluster.waitFor(
      () => user.inbox().filter((message) => URL_PATTERN.test(message.text ?? "")).length === 3,
      WAIT_MS,
      "the reset's answer",
    );
    const reset = user.inbox().filter((message) => URL_PATTERN.test(message.text ?? ""))[2]!;
    const newToken = URL_PATTERN.exec(reset.text!)![1]!;
    assert.match(reset.text!, /old one no longer works/);
    assert.is.not(newToken, token);
    assert.is(leader.state.userIdOfSubscriptionDigest(subscriptionTokenDigest(token)), undefined);
    assert.is(leader.state.userIdOfSubscriptionDigest(subscriptionTokenDigest(newToken)), "3101");
  });
});

test.run();
