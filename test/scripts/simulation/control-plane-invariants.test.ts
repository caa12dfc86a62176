import { test } from "uvu";
import * as assert from "uvu/assert";
import { API_ACTOR } from "../../../cluster/fsm/actors.ts";
import { SUBSCRIPTION_DIGESTS } from "../../../scripts/simulation/commands/domains.ts";
import { stateViolation } from "../../../scripts/simulation/control-plane-invariants.ts";
import { fleetFixture, suspendUser10, T0 } from "./support/fleet-fixture.ts";

test("a fleet whose users got configs, a subscription and a suspension keeps every invariant", () => {
  const fixture = fleetFixture();
  assert.is(stateViolation(fixture.state), undefined);
  fixture.ok({
    type: "issueSubscription",
    userId: "11",
    tokenSha256: SUBSCRIPTION_DIGESTS[0]!,
    tokenSealed: "sealed",
    replace: false,
    at: T0,
  });
  suspendUser10(fixture);
  assert.is(stateViolation(fixture.state), undefined);
  fixture.ok({ type: "liftTrafficSuspension", userId: "10", actor: API_ACTOR, at: T0 });
  assert.is(stateViolation(fixture.state), undefined);
});

test("closing a protocol moves its configs off the server, and the state keeps every invariant", () => {
  const fixture = fleetFixture();
  const verdict = (round: number) => ({
    type: "recordVerdict" as const,
    serverId: "n1",
    round,
    verdict: "ok" as const,
    evidence: "Shadowsocks filtered",
    at: T0 + round,
    banAfter: 2,
    downAfter: 2,
    protocolVerdicts: [
      { protocol: "wireguard" as const, verdict: "ok" as const, filteredIsps: [] },
      { protocol: "shadowsocks" as const, verdict: "filtered" as const, filteredIsps: ["MCI"] },
    ],
    replacementKeys: [],
  });
  fixture.ok(verdict(1));
  fixture.ok(verdict(2));
  assert.equal(
    fixture.state.server("n1")!.blockedProtocols.map((blocked) => blocked.protocol),
    ["shadowsocks"],
  );
  assert.is(fixture.state.config("c2")!.revokeReason, "rehome_pending");
  assert.is(stateViolation(fixture.state), undefined);
});

test.run();
