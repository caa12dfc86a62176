import { Writable } from "node:stream";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { ReplicatedPeer } from "../../../cluster/agent/desired-peers.ts";
import type { MeasuredLoad } from "../../../cluster/agent/server-load.ts";
import {
  type AgentDesiredState,
  VpnAgent,
  type VpnAgentOptions,
} from "../../../cluster/agent/vpn-agent.ts";
import type {
  DesiredInterface,
  PeerStatus,
  VpnDriver,
  VpnDriverResult,
} from "../../../cluster/agent/vpn-driver.ts";
import { generateKeyPair, generatePresharedKey } from "../../../shared/crypto/wireguard-keys.ts";
import {
  openWithWireGuardKey,
  sealToWireGuardKey,
} from "../../../shared/crypto/wireguard-sealed-box.ts";
import { createLogger } from "../../../shared/logger.ts";
import { sleep } from "../../../shared/sleep.ts";

const serverKeys = generateKeyPair();
const openPresharedKey = (sealed: string, peerPublicKey: string) =>
  openWithWireGuardKey(serverKeys, peerPublicKey, sealed);

/** A driver whose peers are whatever the last apply set, unless a test scripts otherwise. */
class ScriptedDriver implements VpnDriver {
  readonly kind = "dry-run";
  applies: DesiredInterface[] = [];
  failApplies = 0;
  applyDelayMs = 0;
  peers: PeerStatus[] = [];
  releases = 0;
  interfaceRemoved = false;
  releasedAfterApplies = -1;
  failRelease = false;

  async serverPublicKey(): Promise<VpnDriverResult<string>> {
    return { ok: true, value: "unused" };
  }

  async apply(desired: DesiredInterface): Promise<VpnDriverResult<void>> {
    if (this.applyDelayMs > 0) await sleep(this.applyDelayMs);
    this.applies.push(desired);
    if (this.failApplies > 0) {
      this.failApplies -= 1;
      return {
        ok: false,
        error: {
          code: "VPN_COMMAND_FAILED",
          message: "wg syncconf failed",
          command: "wg syncconf wg0 /dev/stdin",
          stderr: "boom",
        },
      };
    }
    this.peers = desired.peers.map((peer) => ({
      publicKey: peer.publicKey,
      presharedKey: peer.presharedKey ?? null,
      endpoint: null,
      allowedIps: [...peer.allowedIps],
      latestHandshakeAtMs: null,
      receivedBytes: 0,
      sentBytes: 0,
      persistentKeepaliveSeconds: null,
    }));
    return { ok: true, value: undefined };
  }

  async readPeers(): Promise<VpnDriverResult<PeerStatus[]>> {
    return { ok: true, value: this.peers.map((peer) => ({ ...peer })) };
  }

  async removeInterface(): Promise<VpnDriverResult<void>> {
    this.interfaceRemoved = true;
    return { ok: true, value: undefined };
  }

  async release(): Promise<VpnDriverResult<void>> {
    this.releases += 1;
    this.releasedAfterApplies = this.applies.length;
    if (this.failRelease)
      return {
        ok: false,
        error: { code: "VPN_TOOL_MISSING", message: "nft is not installed", command: "nft -f -" },
      };
    return { ok: true, value: undefined };
  }
}

function replicatedPeer(address: string): ReplicatedPeer {
  const publicKey = generateKeyPair().publicKey;
  return {
    publicKey,
    presharedKeySealed: sealToWireGuardKey(serverKeys.publicKey, publicKey, generatePresharedKey()),
    address,
  };
}

function collectingLogger(): {
  logger: ReturnType<typeof createLogger>;
  lines: () => Record<string, unknown>[];
} {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString().split("\n").filter(Boolean));
      callback();
    },
  });
  return {
    logger: createLogger({ level: "debug", destination }),
    lines: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

interface Harness {
  agent: VpnAgent;
  driver: ScriptedDriver;
  state: { current: AgentDesiredState | null };
  reports: MeasuredLoad[];
  lines: () => Record<string, unknown>[];
}

async function withAgent(
  options: Partial<VpnAgentOptions> & { initial?: AgentDesiredState | null },
  body: (harness: Harness) => Promise<void>,
): Promise<void> {
  const driver = new ScriptedDriver();
  const state = {
    current:
      options.initial === undefined
        ? { interfaceAddress: "10.64.0.1/24", peers: [] }
        : options.initial,
  };
  const reports: MeasuredLoad[] = [];
  const { logger, lines } = collectingLogger();
  const agent = new VpnAgent({
    driver,
    serverId: "node-1",
    readDesiredState: () => state.current,
    openPresharedKey,
    reportLoad: async (load) => {
      reports.push(load);
    },
    logger,
    debounceMs: 30,
    statsIntervalMs: 60_000,
    loadReportIntervalMs: 60_000,
    syncRetryMs: 40,
    ...options,
  });
  try {
    await body({ agent, driver, state, reports, lines });
  } finally {
    await agent.stop();
  }
}

test("start syncs at once: the server's address and every config as a peer", () =>
  withAgent({}, async ({ agent, driver, state }) => {
    const alice = replicatedPeer("10.64.0.2");
    state.current = { interfaceAddress: "10.64.0.1/24", peers: [alice] };
    agent.start();
    await waitFor(() => driver.applies.length === 1, 2_000, "the first sync");
    const applied = driver.applies[0]!;
    assert.is(applied.address, "10.64.0.1/24");
    assert.equal(
      applied.peers.map((peer) => [peer.publicKey, peer.allowedIps]),
      [[alice.publicKey, ["10.64.0.2/32"]]],
    );
    assert.equal(
      applied.peers[0]?.presharedKey,
      (openPresharedKey(alice.presharedKeySealed!, alice.publicKey) as { value: string }).value,
    );
    assert.ok(agent.status().syncedAtMs !== null);
  }));

test("a burst of state changes leads to one sync, within the debounce window", () =>
  withAgent({}, async ({ agent, driver, state }) => {
    agent.start();
    await waitFor(() => driver.applies.length === 1, 2_000, "the first sync");
    for (let index = 2; index < 12; index++) {
      state.current = {
        interfaceAddress: "10.64.0.1/24",
        peers: [...(state.current?.peers ?? []), replicatedPeer(`10.64.0.${index}`)],
      };
      agent.notifyStateChanged();
    }
    const notifiedAt = Date.now();
    await waitFor(() => driver.applies.length === 2, 2_000, "the coalesced sync");
    assert.ok(Date.now() - notifiedAt < 1_000);
    assert.is(driver.applies[1]?.peers.length, 10, "the sync saw the newest state");
    await sleep(100);
    assert.is(driver.applies.length, 2, "no further syncs");
  }));

test("nothing is synced until the server is registered", () =>
  withAgent({ initial: null }, async ({ agent, driver, state }) => {
    agent.start();
    await sleep(80);
    assert.is(driver.applies.length, 0);
    state.current = {
      interfaceAddress: "10.64.0.1/24",
      peers: [replicatedPeer("10.64.0.2")],
    };
    agent.notifyStateChanged();
    await waitFor(() => driver.applies.length === 1, 2_000, "the sync after registration");
  }));

test("a failed sync is retried and the error shows in the status until it succeeds", () =>
  withAgent({}, async ({ agent, driver, lines }) => {
    driver.failApplies = 2;
    agent.start();
    await waitFor(() => driver.applies.length === 1, 2_000, "the first attempt");
    await waitFor(() => agent.status().syncError !== null, 2_000, "the error in the status");
    assert.is(agent.status().syncError?.code, "VPN_COMMAND_FAILED");
    await waitFor(() => driver.applies.length === 3, 2_000, "two retries");
    await waitFor(() => agent.status().syncError === null, 2_000, "the error to clear");
    const failures = lines().filter((line) =>
      String(line.msg).startsWith("VPN interface sync failed"),
    );
    assert.is(failures.length, 2);
    assert.is(failures[0]?.stderr, "boom");
  }));

test("drift found on a stats read is repaired by a sync", () =>
  withAgent({ statsIntervalMs: 40 }, async ({ agent, driver, state, lines }) => {
    state.current = {
      interfaceAddress: "10.64.0.1/24",
      peers: [replicatedPeer("10.64.0.2")],
    };
    agent.start();
    await waitFor(() => driver.applies.length === 1, 2_000, "the first sync");
    driver.peers = []; // e.g. wireguard-go restarted empty
    await waitFor(() => driver.applies.length === 2, 2_000, "the repair");
    assert.is(driver.peers.length, 1);
    assert.ok(
      lines().some((line) => String(line.msg).includes("differs from the replicated state")),
    );
  }));

test("a pending change is not mistaken for drift", () =>
  withAgent({ statsIntervalMs: 15, debounceMs: 200 }, async ({ agent, driver, state, lines }) => {
    agent.start();
    await waitFor(() => driver.applies.length === 1, 2_000, "the first sync");
    state.current = {
      interfaceAddress: "10.64.0.1/24",
      peers: [replicatedPeer("10.64.0.2")],
    };
    agent.notifyStateChanged();
    await waitFor(() => driver.applies.length === 2, 2_000, "the debounced sync");
    assert.not.ok(
      lines().some((line) => String(line.msg).includes("differs from the replicated state")),
    );
  }));

test("load is reported at most once per interval, and not again while unchanged", () => {
  let nowMs = 1_700_000_000_000;
  return withAgent(
    { statsIntervalMs: 15, loadReportIntervalMs: 60_000, now: () => nowMs },
    async ({ agent, driver, state, reports }) => {
      state.current = {
        interfaceAddress: "10.64.0.1/24",
        peers: [replicatedPeer("10.64.0.2")],
      };
      agent.start();
      await waitFor(() => reports.length === 1, 2_000, "the first report");
      assert.equal(reports[0], {
        configuredPeers: 1,
        activePeers: 0,
        receivedBytes: 0,
        sentBytes: 0,
      });
      // Traffic flows, but the interval has not passed.
      driver.peers = driver.peers.map((peer) => ({
        ...peer,
        latestHandshakeAtMs: nowMs - 1_000,
        receivedBytes: 500,
      }));
      await sleep(100);
      assert.is(reports.length, 1);
      nowMs += 60_000;
      await waitFor(() => reports.length === 2, 2_000, "the report after the interval");
      assert.equal(reports[1], {
        configuredPeers: 1,
        activePeers: 1,
        receivedBytes: 500,
        sentBytes: 0,
      });
      assert.equal(agent.status().reportedLoad, reports[1]);
      // Nothing changes: the interval passes again, but nothing is reported.
      nowMs += 120_000;
      driver.peers = driver.peers.map((peer) => ({ ...peer, latestHandshakeAtMs: nowMs - 1_000 }));
      await sleep(100);
      assert.is(reports.length, 2);
    },
  );
});

test("a refused load report is logged and tried again on a later read", () => {
  let attempts = 0;
  return withAgent(
    {
      statsIntervalMs: 15,
      reportLoad: async () => {
        attempts += 1;
        if (attempts === 1) throw new Error("no leader");
      },
    },
    async ({ agent, lines }) => {
      agent.start();
      await waitFor(() => attempts >= 2, 2_000, "a second attempt");
      assert.ok(lines().some((line) => String(line.msg).includes("load report not accepted")));
      await waitFor(() => agent.status().reportedLoad !== null, 2_000, "the accepted report");
    },
  );
});

test("a peer that cannot be set up is logged once and the others are synced", () =>
  withAgent({}, async ({ agent, driver, state, lines }) => {
    const good = replicatedPeer("10.64.0.2");
    const bad = { ...replicatedPeer("10.64.0.3"), presharedKeySealed: "x1.garbage" };
    state.current = { interfaceAddress: "10.64.0.1/24", peers: [good, bad] };
    agent.start();
    await waitFor(() => driver.applies.length === 1, 2_000, "the first sync");
    agent.notifyStateChanged();
    await waitFor(() => driver.applies.length === 2, 2_000, "the second sync");
    assert.equal(
      driver.applies[1]?.peers.map((peer) => peer.publicKey),
      [good.publicKey],
    );
    const skipped = lines().filter((line) => line.msg === "peer left out of the VPN interface");
    assert.is(skipped.length, 1);
    assert.is(skipped[0]?.peer, bad.publicKey);
    assert.is(skipped[0]?.serverId, "node-1");
  }));

test("stop waits for the sync under way, and nothing runs after it", () =>
  withAgent({}, async ({ agent, driver }) => {
    driver.applyDelayMs = 100;
    agent.start();
    await sleep(20);
    agent.notifyStateChanged();
    await agent.stop();
    assert.is(driver.applies.length, 1, "the sync under way finished");
    await sleep(100);
    assert.is(driver.applies.length, 1, "the pending sync never ran");
    agent.notifyStateChanged();
    await sleep(60);
    assert.is(driver.applies.length, 1);
  }));

test("stop removes the egress rules once, after the last sync; a second stop does nothing", () =>
  withAgent({}, async ({ agent, driver }) => {
    driver.applyDelayMs = 50;
    agent.start();
    await sleep(10);
    await agent.stop();
    assert.is(driver.applies.length, 1);
    assert.is(driver.releases, 1);
    assert.ok(driver.releasedAfterApplies === 1, "released after the sync under way finished");
    await agent.stop();
    assert.is(driver.releases, 1);
  }));

test("a failed removal of the egress rules is logged, not thrown", () =>
  withAgent({}, async ({ agent, driver, lines }) => {
    driver.failRelease = true;
    agent.start();
    await agent.stop();
    const logged = lines().find((line) =>
      String(line.msg).includes("cannot remove the egress rules"),
    );
    assert.ok(logged, "the failure is logged");
    assert.is(logged.code, "VPN_TOOL_MISSING");
  }));

test("retiring stops the agent, removes the egress rules and then the interface itself", () =>
  withAgent({}, async ({ agent, driver }) => {
    agent.start();
    await sleep(10);
    await agent.retire();
    assert.is(driver.releases, 1);
    assert.ok(driver.interfaceRemoved);
  }));

test.run();
