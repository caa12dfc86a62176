import { test } from "uvu";
import * as assert from "uvu/assert";
import { DryRunShadowsocksDriver } from "../../../cluster/agent/dry-run-shadowsocks-driver.ts";
import { ShadowsocksAgent } from "../../../cluster/agent/shadowsocks-agent.ts";
import type {
  ManagedPort,
  ShadowsocksDriverResult,
} from "../../../cluster/agent/shadowsocks-driver.ts";
import type { ServerShadowsocksPort } from "../../../cluster/fsm/records.ts";
import { generateKeyPair, generatePresharedKey } from "../../../shared/crypto/wireguard-keys.ts";
import {
  openWithWireGuardKey,
  sealToWireGuardKey,
} from "../../../shared/crypto/wireguard-sealed-box.ts";
import { silentLogger } from "../../../shared/silent-logger.ts";
import { sleep } from "../../../shared/sleep.ts";

const serverKeys = generateKeyPair();
const openPassword = (sealed: string, sealedFor: string) =>
  openWithWireGuardKey(serverKeys, sealedFor, sealed);

/** A live Shadowsocks config's port as the state holds it, with the password it seals. */
function livePort(configId: string, port: number, to = serverKeys.publicKey) {
  const sealedFor = generateKeyPair().publicKey;
  const password = generatePresharedKey();
  const record: ServerShadowsocksPort = {
    configId,
    port,
    method: "chacha20-ietf-poly1305",
    passwordSealed: sealToWireGuardKey(to, sealedFor, password),
    sealedFor,
  };
  return { record, served: { port, password, method: "chacha20-ietf-poly1305" } };
}

/** The dry run, counting calls, and failing as a test scripts. */
class CountingDriver extends DryRunShadowsocksDriver {
  starts = 0;
  added: number[] = [];
  removed: number[] = [];
  refusePorts = new Set<number>();
  dead = false;

  override async start() {
    this.starts++;
    this.dead = false;
    return super.start();
  }
  override async listPorts() {
    if (this.dead)
      return {
        ok: false as const,
        error: { code: "SS_MANAGER_UNREACHABLE" as const, message: "no answer" },
      };
    return super.listPorts();
  }
  override async addPort(port: ManagedPort): Promise<ShadowsocksDriverResult<void>> {
    if (this.refusePorts.has(port.port))
      return {
        ok: false,
        error: { code: "SS_MANAGER_REFUSED", message: "ss-manager refused: port is not available" },
      };
    this.added.push(port.port);
    return super.addPort(port);
  }
  override async removePort(port: number) {
    this.removed.push(port);
    return super.removePort(port);
  }
  /** ss-manager died: it serves nothing and answers nothing until started again. */
  kill(): void {
    this.dead = true;
    void super.stop();
  }
}

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (await condition()) return;
    await sleep(10);
  }
  assert.unreachable(`timed out waiting for ${what}`);
}

function agentWith(driver: CountingDriver, state: { ports: ServerShadowsocksPort[] | null }) {
  return new ShadowsocksAgent({
    driver,
    serverId: "n1",
    readDesiredPorts: () => state.ports,
    openPassword,
    logger: silentLogger,
    debounceMs: 5,
    statsIntervalMs: 30,
    syncRetryMs: 20,
  });
}

async function served(driver: CountingDriver): Promise<ManagedPort[]> {
  const listed = await driver.listPorts();
  return listed.ok ? listed.value : [];
}

test("serves every live port with its opened password, and changes only what changed", async () => {
  const driver = new CountingDriver();
  const a = livePort("a", 20000);
  const b = livePort("b", 20001);
  const state = { ports: [a.record, b.record] as ServerShadowsocksPort[] | null };
  const agent = agentWith(driver, state);
  agent.start();
  try {
    await until(async () => (await served(driver)).length === 2, "both ports");
    assert.equal(await served(driver), [a.served, b.served]);
    const c = livePort("c", 20002);
    state.ports = [b.record, c.record];
    agent.notifyStateChanged();
    await until(async () => (await served(driver)).some((port) => port.port === 20002), "c");
    assert.equal(await served(driver), [b.served, c.served]);
    assert.equal(driver.removed, [20000], "only the revoked port went");
    assert.equal(driver.added, [20000, 20001, 20002], "b was never added again");
  } finally {
    await agent.stop();
  }
});

test("nothing is served before the server is registered", async () => {
  const driver = new CountingDriver();
  const agent = agentWith(driver, { ports: null });
  agent.start();
  await sleep(60);
  await agent.stop();
  assert.is(driver.starts, 0);
});

test("when ss-manager dies, it is started again and every live port added afresh", async () => {
  const driver = new CountingDriver();
  const a = livePort("a", 20000);
  const b = livePort("b", 20001);
  const agent = agentWith(driver, { ports: [a.record, b.record] });
  agent.start();
  try {
    await until(async () => (await served(driver)).length === 2, "both ports");
    driver.kill();
    await until(() => driver.starts === 2, "a second start");
    await until(async () => (await served(driver)).length === 2, "both ports again");
    assert.equal(await served(driver), [a.served, b.served]);
  } finally {
    await agent.stop();
  }
});

test("a password this server cannot open, or a port another program holds, leaves the others served", async () => {
  const driver = new CountingDriver();
  const good = livePort("good", 20000);
  const foreign = livePort("foreign", 20001, generateKeyPair().publicKey);
  const blocked = livePort("blocked", 20002);
  driver.refusePorts.add(20002);
  const agent = agentWith(driver, { ports: [good.record, foreign.record, blocked.record] });
  agent.start();
  try {
    await until(async () => (await served(driver)).length === 1, "the good port");
    await until(() => agent.status().syncError?.code === "SS_MANAGER_REFUSED", "the refusal");
    driver.refusePorts.clear();
    await until(async () => (await served(driver)).length === 2, "the blocked port, retried");
    assert.equal(
      (await served(driver)).map((port) => port.port),
      [20000, 20002],
    );
    await until(() => agent.status().syncError === null, "a clean sync");
  } finally {
    await agent.stop();
  }
});

test("per-config traffic is read from the driver's per-port counters", async () => {
  const driver = new CountingDriver();
  const a = livePort("a", 20000);
  const b = livePort("b", 20001);
  const agent = agentWith(driver, { ports: [a.record, b.record] });
  agent.start();
  try {
    await until(async () => (await served(driver)).length === 2, "both ports");
    driver.setTraffic(20001, 4096);
    await until(() => agent.status().traffic.some((entry) => entry.bytes === 4096), "a read");
    assert.equal(agent.status().traffic, [
      { configId: "a", port: 20000, bytes: 0 },
      { configId: "b", port: 20001, bytes: 4096 },
    ]);
  } finally {
    await agent.stop();
  }
});

test("stop takes ss-manager down with every port", async () => {
  const driver = new CountingDriver();
  const agent = agentWith(driver, { ports: [livePort("a", 20000).record] });
  agent.start();
  await until(async () => (await served(driver)).length === 1, "the port");
  await agent.stop();
  assert.equal(await served(driver), []);
});

test.run();
