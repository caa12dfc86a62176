import { test } from "uvu";
import * as assert from "uvu/assert";
import { API_ACTOR } from "../../../cluster/fsm/actors.ts";
import { MAX_TRAFFIC_COUNTERS } from "../../../cluster/fsm/commands.ts";
import { ControlPlaneState } from "../../../cluster/fsm/control-plane.ts";
import { counterGrowth } from "../../../cluster/fsm/traffic-commands.ts";
import { command, DAY_MS, Fixture, T0, wgKey } from "./support/control-plane-fixture.ts";

const GB = 1_000_000_000;
const MINUTE_MS = 60_000;

/** n1 and n2 with one user each on n1 (10 and 11), their configs on the interface. */
function setup(): Fixture {
  const fixture = new Fixture();
  fixture.ok(command.registerServer("n1"));
  fixture.ok(command.upsertUser("10"));
  fixture.ok(command.upsertUser("11"));
  fixture.ok(command.issueConfig("c1", "10"));
  fixture.ok(command.issueConfig("c2", "11"));
  fixture.ok(command.registerServer("n2"));
  fixture.sealForServers();
  return fixture;
}

/** A report of n1 (or `serverId`) at minute `minute` with raw counters per config id. */
function report(
  fixture: Fixture,
  minute: number,
  raw: Record<string, [rx: number, tx: number]>,
  serverId = "n1",
) {
  return {
    type: "reportTraffic" as const,
    serverId,
    counters: Object.entries(raw).map(([configId, [rxBytes, txBytes]]) => ({
      configId,
      peer: fixture.state.config(configId)!.clientPublicKey,
      rxBytes,
      txBytes,
    })),
    at: T0 + minute * MINUTE_MS,
  };
}

function used(fixture: Fixture, userId: string): number {
  return fixture.state.trafficUsage(userId, T0).usedBytes;
}

function peersOfN1(fixture: Fixture): string[] {
  return fixture.state
    .desiredPeers("n1")
    .filter((peer) => peer.kind === "client")
    .map((peer) => peer.publicKey);
}

function outboxKinds(fixture: Fixture, userId: string): string[] {
  return fixture.state
    .pendingOutbox()
    .filter((entry) => entry.chatId === userId)
    .map((entry) => entry.kind);
}

test("a raw counter adds its growth; one lower than the last was reset and counts from zero", () => {
  assert.is(counterGrowth(150, 100), 50);
  assert.is(counterGrowth(100, 100), 0);
  assert.is(counterGrowth(30, 100), 30);
});

test("the growth of each config's raw counter is counted for the config and its user, upload and download apart", () => {
  const fixture = setup();
  const first = fixture.ok(report(fixture, 1, { c1: [100, 1000], c2: [5, 5] }));
  assert.equal(first, {
    counted: 2,
    skipped: 0,
    rxBytes: 105,
    txBytes: 1005,
    warned: [],
    suspended: [],
  });
  fixture.ok(report(fixture, 2, { c1: [150, 1600] }));
  const usage = fixture.state.trafficUsage("10", T0);
  assert.is(usage.uploadBytes, 150);
  assert.is(usage.downloadBytes, 1600);
  assert.is(usage.usedBytes, 1750);
  assert.equal(
    {
      rx: fixture.state.configTraffic("c1")?.rxBytes,
      raw: fixture.state.configTraffic("c1")?.rawRxBytes,
    },
    { rx: 150, raw: 150 },
  );
  assert.is(used(fixture, "11"), 10);
});

test("a report proposed again (a retry after a timeout that did commit) counts nothing twice", () => {
  const fixture = setup();
  fixture.ok(report(fixture, 1, { c1: [100, 100] }));
  const again = fixture.ok(report(fixture, 2, { c1: [100, 100] }));
  assert.is(again.rxBytes + again.txBytes, 0);
  assert.is(used(fixture, "10"), 200);
});

test("a lost report loses nothing: the next one's raw counters carry what it held", () => {
  const fixture = setup();
  fixture.ok(report(fixture, 1, { c1: [100, 0] }));
  // The report of minute 2 (raw 250) never committed; minute 3 reads 400.
  fixture.ok(report(fixture, 3, { c1: [400, 0] }));
  assert.is(used(fixture, "10"), 400);
});

test("a node restart counts from the replicated last counter: the interface kept counting, nothing is counted twice", () => {
  const fixture = setup();
  fixture.ok(report(fixture, 1, { c1: [1000, 2000] }));
  // The node restarts from a snapshot of the state; it remembers nothing of its own.
  const restarted = new ControlPlaneState();
  restarted.restore(fixture.state.snapshot());
  const result = restarted.apply(JSON.stringify(report(fixture, 2, { c1: [1500, 2100] })), 100);
  assert.ok(result.ok);
  assert.is(restarted.trafficUsage("10", T0).usedBytes, 3600);
});

test("a restarted interface (wg, ss-manager or the host) resets the counters: the lower raw counter counts from zero, and counting goes on from it", () => {
  const fixture = setup();
  fixture.ok(report(fixture, 1, { c1: [1000, 1000] }));
  fixture.ok(report(fixture, 2, { c1: [30, 70] }));
  assert.is(used(fixture, "10"), 2100);
  fixture.ok(report(fixture, 3, { c1: [130, 70] }));
  assert.is(used(fixture, "10"), 2200);
});

test("a re-keyed config is a new peer: its counter counts from zero, and a counter of the old key read before the re-key is skipped", () => {
  const fixture = setup();
  fixture.ok(report(fixture, 1, { c1: [1000, 0] }));
  const oldKey = fixture.state.config("c1")!.clientPublicKey;
  fixture.ok({
    type: "rekeyConfig",
    configId: "c1",
    clientPublicKey: wgKey(777, 4),
    deliveryKeysSealed: "sealed-again",
    at: T0,
  });
  const stale = fixture.ok({
    type: "reportTraffic",
    serverId: "n1",
    counters: [{ configId: "c1", peer: oldKey, rxBytes: 1200, txBytes: 0 }],
    at: T0 + 2 * MINUTE_MS,
  });
  assert.equal([stale.counted, stale.skipped], [0, 1]);
  fixture.ok(report(fixture, 3, { c1: [1500, 0] }));
  assert.is(used(fixture, "10"), 2500);
});

test("reports come at most once per trafficReportSeconds of the server's own clock: a sooner one is refused and counts nothing", () => {
  const fixture = setup();
  fixture.ok(report(fixture, 1, { c1: [100, 0] }));
  fixture.refused(report(fixture, 1.5, { c1: [200, 0] }), "TRAFFIC_REPORT_TOO_SOON");
  fixture.ok({ type: "setSetting", key: "trafficReportSeconds", value: "10", actor: API_ACTOR });
  fixture.ok(report(fixture, 1 + 1 / 6, { c1: [200, 0] }));
  assert.is(used(fixture, "10"), 200);
});

test("bad reports are refused whole and change nothing: unknown server, another server's config, a config twice, malformed or oversized", () => {
  const fixture = setup();
  fixture.refused(report(fixture, 1, { c1: [1, 1] }, "n9"), "UNKNOWN_SERVER");
  fixture.refused(report(fixture, 1, { c1: [1, 1] }, "n2"), "TRAFFIC_REPORT_INVALID");
  const twice = report(fixture, 1, { c1: [1, 1] });
  twice.counters.push({ ...twice.counters[0]! });
  fixture.refused(twice, "TRAFFIC_REPORT_INVALID");
  const unknownConfig = report(fixture, 1, { c1: [1, 1] });
  unknownConfig.counters[0]!.configId = "nope";
  fixture.refused(unknownConfig, "TRAFFIC_REPORT_INVALID");
  const valid = report(fixture, 1, { c1: [1, 1] });
  for (const bad of [
    { ...valid, counters: [] },
    { ...valid, counters: [{ ...valid.counters[0], rxBytes: -1 }] },
    { ...valid, counters: [{ ...valid.counters[0], rxBytes: 1.5 }] },
    { ...valid, counters: [{ ...valid.counters[0], txBytes: 2 ** 53 }] },
    { ...valid, counters: Array(MAX_TRAFFIC_COUNTERS + 1).fill(valid.counters[0]) },
    { ...valid, extra: 1 },
  ])
    fixture.refused(bad, "INVALID_COMMAND");
});

test("a revoked config's last counters still count for its user", () => {
  const fixture = setup();
  fixture.ok(command.revokeConfig("c1"));
  fixture.ok(report(fixture, 1, { c1: [500, 500] }));
  assert.is(used(fixture, "10"), 1000);
});

test("at 80 % of the quota the user is warned once in the period", () => {
  const fixture = setup();
  fixture.ok({ type: "setSetting", key: "trafficQuotaGb", value: "1", actor: API_ACTOR });
  const first = fixture.ok(report(fixture, 1, { c1: [0.5 * GB, 0.29 * GB] }));
  assert.equal(first.warned, []);
  const second = fixture.ok(report(fixture, 2, { c1: [0.5 * GB, 0.3 * GB] }));
  assert.equal(second.warned, ["10"]);
  fixture.ok(report(fixture, 3, { c1: [0.5 * GB, 0.35 * GB] }));
  assert.equal(outboxKinds(fixture, "10"), ["trafficWarning"]);
  const warning = fixture.state.pendingOutbox().find((entry) => entry.kind === "trafficWarning")!;
  assert.equal(warning.payload, {
    usedBytes: 0.8 * GB,
    quotaBytes: GB,
    resetsAt: T0 + 31 * DAY_MS,
  });
  assert.ok(fixture.state.trafficUsage("10", T0).warned);
  assert.not.ok(fixture.state.trafficUsage("10", T0).suspended);
});

test("at 100 % the user is suspended: told once, their peers leave the servers, and they get no new config", () => {
  const fixture = setup();
  fixture.ok({ type: "setUserQuota", userId: "10", quotaGb: 1, actor: API_ACTOR, at: T0 });
  const key = fixture.state.config("c1")!.clientPublicKey;
  assert.ok(peersOfN1(fixture).includes(key));
  const generation = fixture.state.peerGeneration;
  const result = fixture.ok(report(fixture, 1, { c1: [0.6 * GB, 0.4 * GB] }));
  assert.equal(result.suspended, ["10"]);
  assert.ok(fixture.state.peerGeneration > generation, "the servers resync");
  assert.not.ok(peersOfN1(fixture).includes(key));
  assert.is(peersOfN1(fixture).length, 1, "user 11 keeps their peer");
  assert.equal(outboxKinds(fixture, "10"), ["trafficSuspended"]);
  fixture.refused(command.issueConfig("c9", "10"), "TRAFFIC_QUOTA_EXCEEDED");
  // Further reports neither notify again nor touch the peers.
  const quiet = fixture.state.peerGeneration;
  fixture.ok(report(fixture, 2, { c1: [0.7 * GB, 0.4 * GB] }));
  assert.is(fixture.state.peerGeneration, quiet);
  assert.equal(outboxKinds(fixture, "10"), ["trafficSuspended"]);
});

test("a report that changes no suspension leaves every server's peers alone", () => {
  const fixture = setup();
  const generation = fixture.state.peerGeneration;
  fixture.ok(report(fixture, 1, { c1: [100, 100] }));
  assert.is(fixture.state.peerGeneration, generation);
});

/** User 10 over a 1 GB quota, suspended. */
function suspended(): Fixture {
  const fixture = setup();
  fixture.ok({ type: "setUserQuota", userId: "10", quotaGb: 1, actor: API_ACTOR, at: T0 });
  fixture.ok(report(fixture, 1, { c1: [GB, GB] }));
  assert.ok(fixture.state.trafficUsage("10", T0).suspended);
  return fixture;
}

test("an admin lifts a suspension: the peers return and stay for the rest of the period", () => {
  const fixture = suspended();
  const lifted = fixture.ok({
    type: "liftTrafficSuspension",
    userId: "10",
    actor: API_ACTOR,
    at: T0,
  });
  assert.equal([lifted.usage.suspended, lifted.usage.lifted], [false, true]);
  assert.ok(peersOfN1(fixture).includes(fixture.state.config("c1")!.clientPublicKey));
  fixture.ok(report(fixture, 2, { c1: [3 * GB, GB] }));
  assert.not.ok(fixture.state.trafficUsage("10", T0).suspended);
  fixture.refused(
    { type: "liftTrafficSuspension", userId: "10", actor: API_ACTOR, at: T0 },
    "NOT_SUSPENDED",
  );
  fixture.refused(
    { type: "liftTrafficSuspension", userId: "99", actor: API_ACTOR, at: T0 },
    "UNKNOWN_USER",
  );
});

test("a higher quota or unlimited ends a suspension; a quota still below the usage keeps it; null returns to the default", () => {
  const fixture = suspended();
  const still = fixture.ok({
    type: "setUserQuota",
    userId: "10",
    quotaGb: 2,
    actor: API_ACTOR,
    at: T0,
  });
  assert.ok(still.usage.suspended, "2 GB used of 2 GB");
  const higher = fixture.ok({
    type: "setUserQuota",
    userId: "10",
    quotaGb: 3,
    actor: API_ACTOR,
    at: T0,
  });
  assert.equal(
    [higher.usage.suspended, higher.usage.quotaGb, higher.usage.quotaIsDefault],
    [false, 3, false],
  );
  fixture.ok({ type: "setUserQuota", userId: "10", quotaGb: 1, actor: API_ACTOR, at: T0 });
  const unlimited = fixture.ok({
    type: "setUserQuota",
    userId: "10",
    quotaGb: 0,
    actor: API_ACTOR,
    at: T0,
  });
  assert.equal([unlimited.usage.suspended, unlimited.usage.quotaBytes], [false, 0]);
  const back = fixture.ok({
    type: "setUserQuota",
    userId: "10",
    quotaGb: null,
    actor: API_ACTOR,
    at: T0,
  });
  assert.equal(
    [back.usage.quotaIsDefault, back.usage.quotaGb, back.usage.suspended],
    [true, 0, false],
  );
  for (const quotaGb of [100_001, -1, 0.0015, "5"])
    fixture.refused(
      { type: "setUserQuota", userId: "10", quotaGb, actor: API_ACTOR, at: T0 },
      "INVALID_COMMAND",
    );
  const trial = fixture.ok({
    type: "setUserQuota",
    userId: "10",
    quotaGb: 0.25,
    actor: API_ACTOR,
    at: T0,
  });
  assert.is(trial.usage.quotaBytes, 250_000_000, "quotas come in whole MB");
  fixture.refused(
    { type: "setUserQuota", userId: "99", quotaGb: 1, actor: API_ACTOR, at: T0 },
    "UNKNOWN_USER",
  );
});

test("raising the default quota ends the suspensions it no longer holds; a demoted admin cannot set quotas", () => {
  const fixture = setup();
  fixture.ok({ type: "setSetting", key: "trafficQuotaGb", value: "1", actor: API_ACTOR });
  fixture.ok(report(fixture, 1, { c1: [GB, 0] }));
  assert.ok(fixture.state.trafficUsage("10", T0).suspended);
  fixture.ok({ type: "setSetting", key: "trafficQuotaGb", value: "5", actor: API_ACTOR });
  assert.not.ok(fixture.state.trafficUsage("10", T0).suspended);
  fixture.refused(
    {
      type: "setUserQuota",
      userId: "10",
      quotaGb: 1,
      actor: { kind: "telegram", userId: "11" },
      at: T0,
    },
    "NOT_AN_ADMIN",
  );
  fixture.refused(
    { type: "setSetting", key: "trafficQuotaGb", value: "-1", actor: API_ACTOR },
    "INVALID_SETTING",
  );
  fixture.refused(
    { type: "setSetting", key: "trafficResetDay", value: "29", actor: API_ACTOR },
    "INVALID_SETTING",
  );
});

test("the leader's period start: the first only sets the date; the next starts every count again and ends suspensions; a repeat changes nothing", () => {
  const fixture = suspended();
  fixture.ok({ type: "setUserQuota", userId: "11", quotaGb: 7, actor: API_ACTOR, at: T0 });
  const first = fixture.ok({ type: "startTrafficPeriod", periodStart: T0, at: T0 + MINUTE_MS });
  assert.equal(first, { periodStart: T0, restored: 0 });
  assert.is(used(fixture, "10"), 2 * GB, "what was counted before the first period stays");
  assert.is(fixture.state.trafficPeriodStart(), T0);

  const next = T0 + 31 * DAY_MS;
  fixture.refused(
    { type: "startTrafficPeriod", periodStart: next - 1, at: next },
    "INVALID_PERIOD",
  );
  fixture.refused(
    { type: "startTrafficPeriod", periodStart: next, at: next - 1 },
    "INVALID_PERIOD",
  );
  const generation = fixture.state.peerGeneration;
  const started = fixture.ok({ type: "startTrafficPeriod", periodStart: next, at: next });
  assert.equal(started, { periodStart: next, restored: 1 });
  assert.ok(fixture.state.peerGeneration > generation);
  const usage = fixture.state.trafficUsage("10", next);
  assert.equal([usage.usedBytes, usage.suspended, usage.warned], [0, false, false]);
  assert.is(usage.quotaGb, 1, "an admin's quota outlives the period");
  assert.is(fixture.state.trafficUsage("11", next).quotaGb, 7);
  assert.is(usage.resetsAt, Date.UTC(2025, 2, 1));
  assert.ok(peersOfN1(fixture).includes(fixture.state.config("c1")!.clientPublicKey));
  // The raw counters stay: the interface kept counting, and only the growth counts.
  fixture.ok(report(fixture, 31 * 24 * 60 + 1, { c1: [GB + 10, GB] }));
  assert.is(used(fixture, "10"), 10);

  const again = fixture.apply({ type: "startTrafficPeriod", periodStart: next, at: next + 5 });
  assert.ok(again.ok && again.duplicate);
});

test("the usage of a user nobody reported on: zeros under the default quota, and the next reset date", () => {
  const fixture = setup();
  fixture.ok({ type: "setSetting", key: "trafficQuotaGb", value: "50", actor: API_ACTOR });
  fixture.ok({ type: "setSetting", key: "trafficResetDay", value: "10", actor: API_ACTOR });
  assert.equal(fixture.state.trafficUsage("10", T0), {
    userId: "10",
    uploadBytes: 0,
    downloadBytes: 0,
    usedBytes: 0,
    quotaBytes: 50 * GB,
    quotaGb: 50,
    quotaIsDefault: true,
    periodStart: null,
    resetsAt: Date.UTC(2025, 0, 10),
    warned: false,
    suspended: false,
    lifted: false,
  });
});

test("a Shadowsocks config's counter is its port's (ss-manager counts by port), and at 100 % its port leaves the server", () => {
  const fixture = new Fixture();
  fixture.ok(
    command.registerServer("n1", {
      protocols: ["wireguard", "shadowsocks"],
      shadowsocks: { firstPort: 20000, lastPort: 20009, method: "chacha20-ietf-poly1305" },
    }),
  );
  fixture.ok(command.upsertUser("10"));
  fixture.ok({ type: "setUserQuota", userId: "10", quotaGb: 1, actor: API_ACTOR, at: T0 });
  fixture.ok(command.issueConfig("s1", "10", { protocol: "shadowsocks" }));
  fixture.sealForServers();
  assert.equal(
    fixture.state.desiredShadowsocksPorts("n1").map((port) => port.port),
    [20000],
  );
  const byKey = fixture.apply({
    type: "reportTraffic",
    serverId: "n1",
    counters: [
      {
        configId: "s1",
        peer: fixture.state.config("s1")!.clientPublicKey,
        rxBytes: 0,
        txBytes: GB,
      },
    ],
    at: T0,
  });
  assert.ok(byKey.ok && (byKey.value as { skipped: number }).skipped === 1, "not its counter");
  fixture.ok({
    type: "reportTraffic",
    serverId: "n1",
    counters: [{ configId: "s1", peer: "ss:20000", rxBytes: 0, txBytes: GB }],
    at: T0 + MINUTE_MS,
  });
  assert.ok(fixture.state.trafficUsage("10", T0).suspended);
  assert.equal(fixture.state.desiredShadowsocksPorts("n1"), []);
  fixture.ok({ type: "liftTrafficSuspension", userId: "10", actor: API_ACTOR, at: T0 });
  assert.is(fixture.state.desiredShadowsocksPorts("n1").length, 1);
});

test.run();
