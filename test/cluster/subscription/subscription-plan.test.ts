/** What a subscription serves follows the replicated state from one apply to the next. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { planSubscription } from "../../../cluster/subscription/subscription-plan.ts";
import { command, DAY_MS, T0 } from "../fsm/support/control-plane-fixture.ts";
import { SubscriptionFleet } from "./support/subscription-fleet.ts";

const NOW = T0 + 1000;

test("a ban moves the subscription's entry to the new server within the one apply that bans", () => {
  const fleet = new SubscriptionFleet();
  fleet.addUser("10");
  fleet.issue("c1", "10", "de");
  assert.equal(
    planSubscription(fleet.state, "10", NOW).map((entry) => entry.server.id),
    ["n1"],
  );
  fleet.fixture.ok({
    type: "setServerStatus",
    serverId: "n1",
    status: "banned",
    reason: "filtered",
    actor: { kind: "api" },
    at: T0,
    replacementKeys: command.replacementKeys(["c1"]),
  });
  const planned = planSubscription(fleet.state, "10", NOW);
  assert.equal(
    planned.map((entry) => [entry.config.id, entry.server.id, entry.server.endpointHost]),
    [["c1-r", "n2", "n2.example.net"]],
  );
});

test("an endpoint change is in the next plan; revoked and expired configs are not", () => {
  const fleet = new SubscriptionFleet();
  fleet.addUser("10");
  fleet.issue("c1", "10", "de");
  fleet.issue("c2", "10", "nl");
  fleet.fixture.ok({
    type: "setServerEndpoint",
    serverId: "n2",
    endpointHost: "198.51.100.9",
    at: T0,
  });
  assert.equal(
    planSubscription(fleet.state, "10", NOW).map((entry) => entry.server.endpointHost),
    ["n1.example.net", "198.51.100.9"],
  );
  fleet.fixture.ok(command.revokeConfig("c1"));
  assert.equal(
    planSubscription(fleet.state, "10", NOW).map((entry) => entry.config.id),
    ["c2"],
  );
  // Past its expiry, before the leader's sweep revoked it.
  const expiresAt = fleet.state.config("c2")!.expiresAt!;
  assert.ok(expiresAt <= T0 + 31 * DAY_MS);
  assert.equal(planSubscription(fleet.state, "10", expiresAt), []);
});

test("entries are named by region and kind, unique within the subscription", () => {
  const fleet = new SubscriptionFleet();
  fleet.addUser("10");
  fleet.issue("c1", "10", "de");
  fleet.issue("c2", "10", "de", "shadowsocks");
  fleet.issue("c3", "10", "nl");
  const names = planSubscription(fleet.state, "10", NOW).map((entry) => entry.name);
  assert.equal(names, ["de-wg-1", "de-ss-2", "nl-wg-3"]);
});

test.run();
