import { test } from "uvu";
import * as assert from "uvu/assert";
import { DryRunDriver } from "../../../cluster/agent/dry-run-driver.ts";
import { countersToReport } from "../../../cluster/agent/traffic-counters.ts";
import { TrafficReporter, trafficReportState } from "../../../cluster/agent/traffic-reporter.ts";
import {
  shadowsocksTrafficSource,
  wireGuardTrafficSource,
} from "../../../cluster/agent/traffic-source.ts";
import { VpnAgent } from "../../../cluster/agent/vpn-agent.ts";
import { API_ACTOR } from "../../../cluster/fsm/actors.ts";
import { generateKeyPair, generatePresharedKey } from "../../../shared/crypto/wireguard-keys.ts";
import { ok } from "../../../shared/result.ts";
import { silentLogger } from "../../../shared/silent-logger.ts";
import { sleep } from "../../../shared/sleep.ts";
import { command, Fixture, T0 } from "../fsm/support/control-plane-fixture.ts";

const GB = 1_000_000_000;
const MINUTE_MS = 60_000;

test("only counters that changed since the state took them are reported, the longest waiting first, at most the bound", () => {
  const last = (peer: string, raw: number, reportedAt: number) => ({
    peer,
    rawRxBytes: raw,
    rawTxBytes: raw,
    reportedAt,
  });
  const configs = [
    { configId: "a", peer: "A", last: last("A", 5, 300) },
    { configId: "b", peer: "B", last: last("B", 5, 100) },
    { configId: "c", peer: "C", last: undefined },
    { configId: "d", peer: "D", last: last("D", 7, 50) },
    { configId: "e", peer: "E2", last: last("E1", 9, 10) },
    { configId: "f", peer: "F", last: undefined },
    { configId: "g", peer: "G", last: last("G", 1, 1) },
  ];
  const read = [
    { peer: "A", rxBytes: 6, txBytes: 5 },
    { peer: "B", rxBytes: 8, txBytes: 8 },
    { peer: "C", rxBytes: 1, txBytes: 0 },
    { peer: "D", rxBytes: 7, txBytes: 7 }, // unchanged
    { peer: "E2", rxBytes: 9, txBytes: 9 }, // re-keyed: a new peer, reported
    { peer: "F", rxBytes: 0, txBytes: 0 }, // nothing to count yet
    { peer: "X", rxBytes: 4, txBytes: 4 }, // no config of this server
  ];
  const ids = (max: number) => countersToReport(configs, read, max).map((entry) => entry.configId);
  assert.equal(ids(10), ["c", "e", "b", "a"]);
  assert.equal(ids(2), ["c", "e"]);
  assert.equal(countersToReport(configs, read, 1)[0], {
    configId: "c",
    peer: "C",
    rxBytes: 1,
    txBytes: 0,
  });
});

test("ss-manager's counters are by port, both directions together: they count as download under the port's peer id", async () => {
  const status = () => ({
    syncedAtMs: 1,
    syncError: null,
    ports: 2,
    traffic: [
      { configId: "s1", port: 20000, bytes: 1234 },
      { configId: "s2", port: 20001, bytes: 0 },
    ],
    trafficReadAtMs: 1,
  });
  const read = await shadowsocksTrafficSource({ status }).read();
  assert.equal(read, {
    ok: true,
    value: [
      { peer: "ss:20000", rxBytes: 0, txBytes: 1234 },
      { peer: "ss:20001", rxBytes: 0, txBytes: 0 },
    ],
  });
});

/**
 * A server n1 whose dry-run interface the agent keeps in step with a state,
 * a reporter on that interface, and user 10 with one config on it.
 */
async function server(quotaGb: number) {
  const fixture = new Fixture();
  const keyPair = generateKeyPair();
  const presharedKey = generatePresharedKey();
  const driver = new DryRunDriver({ keyPair });
  fixture.ok(command.registerServer("n1", { publicKey: keyPair.publicKey }));
  fixture.ok(command.upsertUser("10"));
  fixture.ok({ type: "setUserQuota", userId: "10", quotaGb, actor: API_ACTOR, at: T0 });
  fixture.ok(command.issueConfig("c1", "10"));
  fixture.sealForServers();
  const agent = new VpnAgent({
    driver,
    serverId: "n1",
    readDesiredState: () => {
      const registered = fixture.state.server("n1")!;
      return {
        interfaceAddress: `${registered.tunnelAddress}/${registered.subnet.split("/")[1]}`,
        peers: fixture.state.desiredPeers("n1"),
      };
    },
    openPresharedKey: () => ok(presharedKey),
    reportLoad: async () => undefined,
    logger: silentLogger,
    debounceMs: 5,
  });
  const clock = { now: T0 };
  let proposals = 0;
  const reporter = () =>
    new TrafficReporter({
      sources: [wireGuardTrafficSource(driver)],
      readState: () => trafficReportState(fixture.state, "n1"),
      propose: async (counters, at) => {
        proposals++;
        const generation = fixture.state.peerGeneration;
        fixture.ok({ type: "reportTraffic", serverId: "n1", counters, at });
        if (fixture.state.peerGeneration !== generation) agent.notifyStateChanged();
      },
      logger: silentLogger,
      now: () => clock.now,
    });
  agent.start();
  const key = fixture.state.config("c1")!.clientPublicKey;
  const onInterface = () => driver.state.peers.some((peer) => peer.publicKey === key);
  await until(onInterface, true);
  return {
    fixture,
    driver,
    agent,
    clock,
    reporter,
    key,
    onInterface,
    proposals: () => proposals,
    used: () => fixture.state.trafficUsage("10", clock.now).usedBytes,
  };
}

/** Waits (at most 2 s) until `probe` gives `expected`. */
async function until(probe: () => boolean, expected: boolean): Promise<void> {
  for (let attempt = 0; attempt < 200 && probe() !== expected; attempt++) await sleep(10);
  assert.is(probe(), expected);
}

test("the interface's counters reach the state once per interval; a warning at 80 %, then at 100 % the agent takes the user's peer off the interface", async () => {
  const s = await server(1);
  const reporter = s.reporter();
  s.driver.addTraffic(s.key, 0.5 * GB, 0.3 * GB);
  await reporter.reportIfDue();
  assert.is(s.used(), 0.8 * GB);
  assert.ok(s.fixture.state.trafficUsage("10", T0).warned);

  s.driver.addTraffic(s.key, 0.2 * GB, 0);
  s.clock.now += 30_000;
  await reporter.reportIfDue();
  assert.is(s.proposals(), 1, "not due before trafficReportSeconds");
  s.clock.now += 30_000;
  await reporter.reportIfDue();
  assert.is(s.used(), GB);
  assert.ok(s.fixture.state.trafficUsage("10", T0).suspended);
  await until(s.onInterface, false);

  s.clock.now += MINUTE_MS;
  await reporter.reportIfDue();
  assert.is(s.proposals(), 2, "a suspended user's counters no longer move: nothing to report");
  await s.agent.stop();
});

test("lifted, the peer returns with counters from zero; a restarted node and a restarted interface count nothing twice and lose nothing", async () => {
  const s = await server(1);
  s.driver.addTraffic(s.key, GB, 0);
  await s.reporter().reportIfDue();
  await until(s.onInterface, false);

  s.fixture.ok({ type: "liftTrafficSuspension", userId: "10", actor: API_ACTOR, at: T0 });
  s.agent.notifyStateChanged();
  await until(s.onInterface, true);
  s.driver.addTraffic(s.key, 0.1 * GB, 0);
  s.clock.now += MINUTE_MS;
  await s.reporter().reportIfDue();
  assert.is(s.used(), 1.1 * GB, "the re-added peer's lower counter counts from zero");

  // The node restarts: a new reporter, nothing in memory, the interface kept counting.
  s.clock.now += MINUTE_MS;
  const restarted = s.reporter();
  await restarted.reportIfDue();
  assert.is(s.used(), 1.1 * GB, "nothing counted twice after a restart");
  s.driver.addTraffic(s.key, 0, 0.1 * GB);
  await restarted.reportIfDue();
  assert.is(s.used(), 1.2 * GB);

  // The interface is recreated (a reboot, a killed wireguard-go): its counters start at zero.
  s.driver.resetCounters();
  s.driver.addTraffic(s.key, 0.05 * GB, 0);
  s.clock.now += MINUTE_MS;
  await restarted.reportIfDue();
  assert.is(s.used(), 1.25 * GB);
  await s.agent.stop();
});

test("a report the cluster refuses is made up by the next one", async () => {
  const s = await server(0);
  let refuse = true;
  const reporter = new TrafficReporter({
    sources: [wireGuardTrafficSource(s.driver)],
    readState: () => trafficReportState(s.fixture.state, "n1"),
    propose: async (counters, at) => {
      if (refuse) throw new Error("no leader");
      s.fixture.ok({ type: "reportTraffic", serverId: "n1", counters, at });
    },
    logger: silentLogger,
    now: () => s.clock.now,
  });
  s.driver.addTraffic(s.key, 300, 400);
  await reporter.reportIfDue();
  assert.is(s.used(), 0);
  refuse = false;
  s.driver.addTraffic(s.key, 300, 0);
  await reporter.reportIfDue();
  assert.is(s.used(), 1000);
  await s.agent.stop();
});

test.run();
