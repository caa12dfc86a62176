import { test } from "uvu";
import * as assert from "uvu/assert";
import type { TrafficUsage } from "../../../../cluster/fsm/traffic-usage.ts";
import {
  type TrafficView,
  trafficViolation,
} from "../../../../scripts/simulation/invariants/traffic-invariants.ts";
import { fleetFixture, suspendUser10 } from "../support/fleet-fixture.ts";

const USERS = ["10", "11"];
const SERVERS = ["n1", "n2"];

/** The fleet with user 10 suspended, and the view of it the invariants read. */
function suspendedFleet() {
  const fixture = fleetFixture();
  suspendUser10(fixture);
  const { state } = fixture;
  const configs = ["c1", "c2", "c3"].map((id) => state.config(id)!);
  const view: TrafficView = {
    userTraffic: (userId) => state.userTraffic(userId),
    trafficUsage: (userId, nowMs) => state.trafficUsage(userId, nowMs),
    desiredPeers: (serverId) => state.desiredPeers(serverId),
    desiredShadowsocksPorts: (serverId) => state.desiredShadowsocksPorts(serverId),
  };
  return { state, configs, view };
}

/** The view's usage answers, with `change` in `userId`'s. */
function usageOf(view: TrafficView, userId: string, change: Partial<TrafficUsage>) {
  const usage = view.trafficUsage(userId, 0);
  return (id: string, nowMs: number) =>
    id === userId ? { ...usage, ...change } : view.trafficUsage(id, nowMs);
}

test("a user suspended by their traffic, whose configs left every server, keeps every invariant", () => {
  const { configs, view } = suspendedFleet();
  assert.ok(view.trafficUsage("10", 0).suspended);
  assert.is(trafficViolation(view, USERS, SERVERS, configs), undefined);
});

test("a suspended user's WireGuard peer still on a server is caught", () => {
  const { state, configs, view } = suspendedFleet();
  const peer = {
    publicKey: state.config("c1")!.clientPublicKey,
    presharedKeySealed: "sealed",
    address: state.config("c1")!.address,
    kind: "client" as const,
  };
  const broken = { ...view, desiredPeers: (serverId: string) => (serverId === "n1" ? [peer] : []) };
  assert.match(
    trafficViolation(broken, USERS, SERVERS, configs) ?? "",
    /config c1 of user 10, suspended for traffic, is still on server n1/,
  );
});

test("a suspended user's Shadowsocks port still served is caught", () => {
  const { configs, view } = suspendedFleet();
  const port = {
    configId: "c2",
    port: 20000,
    method: "aes-256-gcm",
    passwordSealed: "sealed",
    sealedFor: "key",
  };
  const broken = {
    ...view,
    desiredShadowsocksPorts: (serverId: string) => (serverId === "n1" ? [port] : []),
  };
  assert.match(
    trafficViolation(broken, USERS, SERVERS, configs) ?? "",
    /config c2 of user 10, suspended for traffic, is still on server n1/,
  );
});

test("a suspension the quota in force does not hold, or one an admin lifted, is caught", () => {
  const { configs, view } = suspendedFleet();
  for (const change of [{ quotaBytes: 0 }, { usedBytes: 1 }, { lifted: true }]) {
    const broken = { ...view, trafficUsage: usageOf(view, "10", change) };
    assert.match(
      trafficViolation(broken, USERS, SERVERS, configs) ?? "",
      /user 10 is suspended with/,
    );
  }
});

test("a user who used up a quota of their own and is not suspended is caught", () => {
  const { configs, view } = suspendedFleet();
  const broken = { ...view, trafficUsage: usageOf(view, "10", { suspended: false }) };
  assert.match(
    trafficViolation(broken, USERS, SERVERS, configs) ?? "",
    /user 10 used 2000000 bytes of their own quota of 1000000 and is not suspended/,
  );
});

test("a user over the cluster's default quota is suspended only with their next traffic", () => {
  const { configs, view } = suspendedFleet();
  const lowered = {
    ...view,
    trafficUsage: usageOf(view, "10", { suspended: false, quotaIsDefault: true }),
  };
  assert.is(trafficViolation(lowered, USERS, SERVERS, configs), undefined);
});

test.run();
