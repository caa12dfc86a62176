import { test } from "uvu";
import * as assert from "uvu/assert";
import { DryRunDriver } from "../../../cluster/agent/dry-run-driver.ts";
import type { InterfacePeer } from "../../../cluster/agent/vpn-driver.ts";
import { generateKeyPair, generatePresharedKey } from "../../../shared/crypto/wireguard-keys.ts";

const peers: InterfacePeer[] = [
  {
    publicKey: generateKeyPair().publicKey,
    presharedKey: generatePresharedKey(),
    allowedIps: ["10.64.0.2/32"],
  },
  { publicKey: generateKeyPair().publicKey, allowedIps: ["10.64.0.3/32"] },
];

test("a new dry run is down with no peers and reports its key", async () => {
  const keyPair = generateKeyPair();
  const driver = new DryRunDriver({ keyPair, listenPort: 51999 });
  assert.is(driver.kind, "dry-run");
  assert.equal(driver.state, {
    up: false,
    address: null,
    listenPort: 51999,
    mtu: 1280,
    peers: [],
    egress: null,
    applyCount: 0,
  });
  assert.equal(await driver.serverPublicKey(), { ok: true, value: keyPair.publicKey });
});

test("apply records the interface and the egress rules it would set up", async () => {
  const driver = new DryRunDriver();
  assert.ok((await driver.apply({ address: "10.64.0.1/24", peers })).ok);
  assert.equal(driver.state, {
    up: true,
    address: "10.64.0.1/24",
    listenPort: 51820,
    mtu: 1280,
    peers,
    egress: { clientSubnet: "10.64.0.0/24", allowClientToClient: false, blockedDestinations: [] },
    applyCount: 1,
  });
  assert.ok((await driver.apply({ address: "10.64.0.1/24", peers: [peers[1]!] })).ok);
  assert.equal(driver.state.peers, [peers[1]]);
  assert.is(driver.state.applyCount, 2);
});

test("release forgets the egress rules and keeps the interface", async () => {
  const driver = new DryRunDriver({
    mtu: 1420,
    allowClientToClient: true,
    blockedDestinations: ["169.254.0.0/16"],
  });
  assert.ok((await driver.apply({ address: "10.64.0.1/24", peers })).ok);
  assert.equal(driver.state.egress, {
    clientSubnet: "10.64.0.0/24",
    allowClientToClient: true,
    blockedDestinations: ["169.254.0.0/16"],
  });
  assert.is(driver.state.mtu, 1420);
  assert.equal(await driver.release(), { ok: true, value: undefined });
  assert.is(driver.state.egress, null);
  assert.ok(driver.state.up);
  assert.equal(driver.state.peers, peers);
});

test("an interface address that is not IPv4 address/prefix is refused like the real driver would", async () => {
  const driver = new DryRunDriver();
  const applied = await driver.apply({ address: "10.64.0.1", peers });
  assert.ok(!applied.ok);
  assert.is(applied.error.code, "VPN_EGRESS_INVALID");
  assert.is(driver.state.applyCount, 0);
});

test("readPeers returns the recorded peers without traffic or handshakes", async () => {
  const driver = new DryRunDriver();
  await driver.apply({ address: "10.64.0.1/24", peers });
  const read = await driver.readPeers();
  assert.ok(read.ok);
  assert.equal(
    read.value.map((peer) => [
      peer.publicKey,
      peer.presharedKey,
      peer.allowedIps,
      peer.latestHandshakeAtMs,
      peer.receivedBytes,
    ]),
    [
      [peers[0]!.publicKey, peers[0]!.presharedKey, ["10.64.0.2/32"], null, 0],
      [peers[1]!.publicKey, null, ["10.64.0.3/32"], null, 0],
    ],
  );
});

test("an invalid peer is refused like the real driver would, and nothing is recorded", async () => {
  const driver = new DryRunDriver();
  const applied = await driver.apply({
    address: "10.64.0.1/24",
    peers: [{ publicKey: "x", allowedIps: [] }],
  });
  assert.ok(!applied.ok);
  assert.is(applied.error.code, "VPN_PEER_INVALID");
  assert.is(driver.state.applyCount, 0);
});

test("each dry run has its own key unless one is given", async () => {
  const first = await new DryRunDriver().serverPublicKey();
  const second = await new DryRunDriver().serverPublicKey();
  assert.ok(first.ok && second.ok);
  assert.is.not(first.value, second.value);
});

test.run();
