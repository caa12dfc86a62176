/**
 * Shadowsocks traffic through the Shadowsocks agent (its dry-run ss-manager)
 * and the traffic reporter: ports' counters reach the state, a suspended
 * user's port leaves ss-manager, and returns, counting from zero, when lifted.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { DryRunShadowsocksDriver } from "../../../cluster/agent/dry-run-shadowsocks-driver.ts";
import { ShadowsocksAgent } from "../../../cluster/agent/shadowsocks-agent.ts";
import { TrafficReporter, trafficReportState } from "../../../cluster/agent/traffic-reporter.ts";
import { shadowsocksTrafficSource } from "../../../cluster/agent/traffic-source.ts";
import { API_ACTOR } from "../../../cluster/fsm/actors.ts";
import { generatePresharedKey } from "../../../shared/crypto/wireguard-keys.ts";
import { ok } from "../../../shared/result.ts";
import { silentLogger } from "../../../shared/silent-logger.ts";
import { sleep } from "../../../shared/sleep.ts";
import { command, Fixture, T0 } from "../fsm/support/control-plane-fixture.ts";

const GB = 1_000_000_000;
const PORT = 20000;

/** Waits (at most 2 s) until `probe` holds. */
async function until(probe: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (await probe()) return;
    await sleep(10);
  }
  assert.unreachable(`timed out waiting for ${what}`);
}

test("a Shadowsocks port's counter is counted; at 100 % the port leaves ss-manager, and lifted it returns counting from zero", async () => {
  const fixture = new Fixture();
  fixture.ok(
    command.registerServer("n1", {
      protocols: ["wireguard", "shadowsocks"],
      shadowsocks: { firstPort: PORT, lastPort: PORT + 9, method: "chacha20-ietf-poly1305" },
    }),
  );
  fixture.ok(command.upsertUser("10"));
  fixture.ok({ type: "setUserQuota", userId: "10", quotaGb: 1, actor: API_ACTOR, at: T0 });
  fixture.ok(command.issueConfig("s1", "10", { protocol: "shadowsocks" }));
  fixture.sealForServers();
  const driver = new DryRunShadowsocksDriver();
  const password = generatePresharedKey();
  const agent = new ShadowsocksAgent({
    driver,
    serverId: "n1",
    readDesiredPorts: () => fixture.state.desiredShadowsocksPorts("n1"),
    openPassword: () => ok(password),
    logger: silentLogger,
    debounceMs: 5,
    statsIntervalMs: 10,
  });
  const clock = { now: T0 };
  const reporter = new TrafficReporter({
    sources: [shadowsocksTrafficSource(agent)],
    readState: () => trafficReportState(fixture.state, "n1"),
    propose: async (counters, at) => {
      const generation = fixture.state.peerGeneration;
      fixture.ok({ type: "reportTraffic", serverId: "n1", counters, at });
      if (fixture.state.peerGeneration !== generation) agent.notifyStateChanged();
    },
    logger: silentLogger,
    now: () => clock.now,
  });
  const served = async () => {
    const ports = await driver.listPorts();
    return ports.ok && ports.value.some((port) => port.port === PORT);
  };
  const agentSaw = (bytes: number) => () =>
    agent.status().traffic.some((counter) => counter.port === PORT && counter.bytes === bytes);
  const used = () => fixture.state.trafficUsage("10", clock.now);
  agent.start();
  try {
    await until(served, "the port to be served");
    driver.setTraffic(PORT, 0.6 * GB);
    await until(agentSaw(0.6 * GB), "the agent to read the counter");
    await reporter.reportIfDue();
    assert.equal([used().downloadBytes, used().suspended], [0.6 * GB, false]);

    driver.setTraffic(PORT, GB);
    await until(agentSaw(GB), "the agent to read the counter");
    clock.now += 60_000;
    await reporter.reportIfDue();
    assert.ok(used().suspended);
    await until(async () => !(await served()), "the suspended user's port to leave ss-manager");

    fixture.ok({ type: "liftTrafficSuspension", userId: "10", actor: API_ACTOR, at: T0 });
    agent.notifyStateChanged();
    await until(served, "the lifted user's port to return");
    driver.setTraffic(PORT, 0.1 * GB);
    await until(agentSaw(0.1 * GB), "the agent to read the counter");
    clock.now += 60_000;
    await reporter.reportIfDue();
    assert.is(used().usedBytes, 1.1 * GB, "the re-added port counts from zero");
  } finally {
    await agent.stop();
  }
});

test.run();
