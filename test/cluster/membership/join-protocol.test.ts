import { test } from "uvu";
import * as assert from "uvu/assert";
import { credentialsForJoiner } from "../../../cluster/membership/join-protocol.ts";

const shared = { CLUSTER_SECRET: "s".repeat(32), DATA_KEYS: "k1:secret", BOT_TOKEN: "1:token" };

test("with no voter candidates named, a joiner receives every shared credential", () => {
  assert.equal(credentialsForJoiner(shared, "de-1", undefined), shared);
});

test("a joiner among the voter candidates receives every shared credential", () => {
  assert.equal(credentialsForJoiner(shared, "de-1", new Set(["de-1", "nl-2", "fi-3"])), shared);
});

test("a joiner that is not a voter candidate receives everything but the bot token and the data keys", () => {
  const received = credentialsForJoiner(shared, "ir-9", new Set(["de-1", "nl-2", "fi-3"]));
  assert.equal(received, { CLUSTER_SECRET: shared.CLUSTER_SECRET });
  assert.is(shared.BOT_TOKEN, "1:token", "the node's own credentials are untouched");
});

test.run();
