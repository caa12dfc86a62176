import { test } from "uvu";
import * as assert from "uvu/assert";
import { API_ACTOR } from "../../../../cluster/fsm/actors.ts";
import type { ApplyResult } from "../../../../cluster/fsm/control-plane.ts";
import {
  applyViolation,
  type CommandView,
} from "../../../../scripts/simulation/invariants/command-invariants.ts";
import { fleetFixture, suspendUser10, T0 } from "../support/fleet-fixture.ts";

const ISSUED_C2 = JSON.stringify({ type: "issueConfig", configId: "c2", userId: "10" });
const QUOTA_OF_10 = JSON.stringify({ type: "setUserQuota", userId: "10", quotaGb: 0.001 });
const APPLIED: ApplyResult = { ok: true, value: {} };

/** The fleet, with user 10 suspended by a quota of their own, as the command invariants read it. */
function fleetView(): CommandView {
  const fixture = fleetFixture();
  suspendUser10(fixture);
  const { state } = fixture;
  return {
    config: (configId) => state.config(configId),
    configsOfUser: (userId) => state.configsOfUser(userId),
    setting: (key) => state.setting(key),
    server: (serverId) => state.server(serverId),
    trafficUsage: (userId, nowMs) => state.trafficUsage(userId, nowMs),
  };
}

test("a config issued within the user's limit, on an active server open to its protocol, passes", () => {
  assert.is(applyViolation(fleetView(), ISSUED_C2, APPLIED), undefined);
});

test("an issue that leaves its user above the configs allowed is caught", () => {
  const view = fleetView();
  const stricter = { ...view, setting: () => "1" };
  assert.match(
    applyViolation(stricter, ISSUED_C2, APPLIED) ?? "",
    "user 10 holds 2 live configs after an issue; 1 are allowed",
  );
});

test("an issue on a server that is not active, does not offer the protocol, or closed it, is caught", () => {
  const view = fleetView();
  const n1 = view.server("n1")!;
  const blocked = { protocol: "shadowsocks" as const, isps: [], since: T0, evidence: "filtered" };
  for (const server of [
    { ...n1, status: "draining" as const },
    { ...n1, protocols: ["wireguard" as const] },
    { ...n1, blockedProtocols: [blocked] },
  ]) {
    const broken = { ...view, server: () => server };
    assert.match(applyViolation(broken, ISSUED_C2, APPLIED) ?? "", /config c2 was issued on/);
  }
});

test("a quota just set suspends its user exactly when they used it up", () => {
  const view = fleetView();
  assert.is(applyViolation(view, QUOTA_OF_10, APPLIED), undefined);
  const usage = view.trafficUsage("10", 0);
  const unsuspended = { ...view, trafficUsage: () => ({ ...usage, suspended: false }) };
  assert.match(applyViolation(unsuspended, QUOTA_OF_10, APPLIED) ?? "", "user 10 is not suspended");
  const raised = { ...view, trafficUsage: () => ({ ...usage, quotaBytes: 5_000_000 }) };
  assert.match(applyViolation(raised, QUOTA_OF_10, APPLIED) ?? "", "user 10 is suspended");
});

test("refused commands and repeats are not judged: they changed nothing", () => {
  const view = { ...fleetView(), setting: () => "0" };
  const refused: ApplyResult = {
    ok: false,
    error: { code: "CONFIG_LIMIT_REACHED", message: "limit" },
  };
  assert.is(applyViolation(view, ISSUED_C2, refused), undefined);
  assert.is(applyViolation(view, ISSUED_C2, { ok: true, value: {}, duplicate: true }), undefined);
  const other = JSON.stringify({ type: "setSetting", key: "x", value: "y", actor: API_ACTOR });
  assert.is(applyViolation(view, other, APPLIED), undefined);
});

test.run();
