import { test } from "uvu";
import * as assert from "uvu/assert";
import { API_ACTOR } from "../../../cluster/fsm/actors.ts";
import { periodStartAt } from "../../../cluster/fsm/traffic-period.ts";
import { leaderTaskCommands } from "../../../scripts/simulation/leader-tasks.ts";
import { fleetFixture, T0 } from "./support/fleet-fixture.ts";

const DAY_MS = 86_400_000;

test("key custody seals each new config's secret to its server, by the keys it has now", () => {
  const fixture = fleetFixture({ sealed: false });
  fixture.ok({ type: "startTrafficPeriod", periodStart: T0, at: T0 });
  const [seal] = leaderTaskCommands(fixture.state, T0);
  const { items } = JSON.parse(seal!);
  assert.equal(
    items.map((item: { configId: string }) => item.configId),
    ["c1", "c2", "c3"],
  );
  assert.is(items[0].clientPublicKey, fixture.state.config("c1")!.clientPublicKey);
  assert.is(items[0].serverPublicKey, fixture.state.server("n1")!.publicKey);
  assert.ok(
    items[0].subscriptionPrivateKeySealed,
    "a WireGuard config's private key for its subscription",
  );
  assert.is(
    items[1].subscriptionPrivateKeySealed,
    undefined,
    "a Shadowsocks config needs its password alone",
  );
  assert.equal(fixture.apply(seal!), { ok: true, value: { sealed: 3, erased: 0 } });
  assert.equal(leaderTaskCommands(fixture.state, T0), [], "nothing is left to seal");
});

test("the traffic period task starts the period of its time once, by the reset day in force", () => {
  const fixture = fleetFixture();
  const now = T0 + 40 * DAY_MS;
  const [start] = leaderTaskCommands(fixture.state, now);
  assert.equal(JSON.parse(start!), {
    type: "startTrafficPeriod",
    periodStart: periodStartAt(now, 1),
    at: now,
  });
  assert.ok(fixture.apply(start!).ok);
  assert.equal(leaderTaskCommands(fixture.state, now + DAY_MS), [], "not again within the period");
  // Day 40 is 10 February: a reset on the 5th starts a later period, one on the 15th an earlier one.
  fixture.ok({ type: "setSetting", key: "trafficResetDay", value: "15", actor: API_ACTOR });
  assert.equal(leaderTaskCommands(fixture.state, now), []);
  fixture.ok({ type: "setSetting", key: "trafficResetDay", value: "5", actor: API_ACTOR });
  const [next] = leaderTaskCommands(fixture.state, now);
  assert.is(JSON.parse(next!).periodStart, periodStartAt(now, 5));
});

test.run();
