/** Answering `GET /s/<token>` from the replicated state, without the network (owners out of reach). */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { API_ACTOR } from "../../../cluster/fsm/actors.ts";
import { SubscriptionResponder } from "../../../cluster/subscription/subscription-responder.ts";
import { T0 } from "../fsm/support/control-plane-fixture.ts";
import { SubscriptionFleet } from "./support/subscription-fleet.ts";

function responderOn(fleet: SubscriptionFleet, selfId: string) {
  const self = fleet.server(selfId);
  return new SubscriptionResponder({
    selfId,
    identity: self.identity,
    serverKeys: self.keys,
    readState: async () => fleet.state,
    // No member can be reached: configs on other servers are left out.
    memberBaseUrl: () => undefined,
    ownerTimeoutMs: 100,
    clock: () => T0 + 1000,
  });
}

test("an unknown or malformed token is answered as unknown, whatever the format", async () => {
  const fleet = new SubscriptionFleet();
  fleet.addUser("10");
  const responder = responderOn(fleet, "n1");
  for (const token of ["A".repeat(43), "short", "../../etc/passwd", `${fleet.tokens.get("10")}x`])
    assert.equal(await responder.respond(token, "clash", undefined), { kind: "unknown" });
});

test("a user's configs on this server are served in the format asked for, with the subscription headers", async () => {
  const fleet = new SubscriptionFleet();
  const token = fleet.addUser("10");
  fleet.issue("c1", "10", "de");
  fleet.issue("c2", "10", "de", "shadowsocks");
  const responder = responderOn(fleet, "n1");
  const answer = await responder.respond(token, null, "ClashMetaForAndroid/2.10");
  assert.ok(answer.kind === "served");
  assert.is(answer.format, "clash");
  assert.is(answer.served, 2);
  assert.ok(answer.rendered.body.includes(fleet.keys.get("c1")!.clientPrivateKey));
  assert.ok(answer.rendered.body.includes(fleet.keys.get("c2")!.presharedKey));
  const expire = Math.floor(fleet.state.config("c1")!.expiresAt! / 1000);
  assert.is(
    answer.headers["Subscription-Userinfo"],
    `upload=0; download=0; total=0; expire=${expire}`,
  );
  assert.is(answer.headers["Profile-Update-Interval"], "1");
  assert.match(answer.headers["Content-Disposition"]!, /^attachment; filename="VPN\.yaml"$/);
  assert.is(answer.headers["Content-Length"], String(Buffer.byteLength(answer.rendered.body)));
  assert.equal(await responder.respond(token, "toml", undefined), { kind: "badFormat" });
});

test("Subscription-Userinfo carries the user's usage this period as the ledger has it, and their quota as total", async () => {
  const fleet = new SubscriptionFleet();
  const token = fleet.addUser("10");
  fleet.issue("c1", "10", "de");
  fleet.issue("c2", "10", "de", "shadowsocks");
  fleet.fixture.ok({
    type: "setUserQuota",
    userId: "10",
    quotaGb: 0.5,
    actor: API_ACTOR,
    at: T0,
  });
  fleet.fixture.ok({
    type: "reportTraffic",
    serverId: "n1",
    counters: [
      {
        configId: "c1",
        peer: fleet.state.config("c1")!.clientPublicKey,
        rxBytes: 1_000,
        txBytes: 20_000,
      },
      // ss-manager counts a port's two directions together: booked as download.
      { configId: "c2", peer: "ss:20000", rxBytes: 0, txBytes: 300_000 },
    ],
    at: T0,
  });
  const answer = await responderOn(fleet, "n1").respond(token, "links", undefined);
  assert.ok(answer.kind === "served");
  assert.match(
    answer.headers["Subscription-Userinfo"]!,
    /^upload=1000; download=320000; total=500000000; expire=\d+$/,
  );
});

test("configs whose server cannot be asked are left out, and the rest is still served", async () => {
  const fleet = new SubscriptionFleet();
  const token = fleet.addUser("10");
  fleet.issue("c1", "10", "de");
  fleet.issue("c2", "10", "nl");
  const answer = await responderOn(fleet, "n1").respond(token, "links", undefined);
  assert.ok(answer.kind === "served");
  assert.is(answer.served, 1);
  assert.is(answer.leftOut, 1);
  const links = Buffer.from(answer.rendered.body, "base64").toString("utf8");
  assert.match(links, /^wireguard:\/\/.*@n1\.example\.net:51820/);
});

test.run();
