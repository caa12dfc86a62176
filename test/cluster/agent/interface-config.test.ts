import { test } from "uvu";
import * as assert from "uvu/assert";
import { peerProblem, renderInterfaceConfig } from "../../../cluster/agent/interface-config.ts";
import type { InterfacePeer } from "../../../cluster/agent/vpn-driver.ts";
import { generateKeyPair, generatePresharedKey } from "../../../shared/crypto/wireguard-keys.ts";
import { parseConf } from "../../support/parse-conf.ts";

const server = generateKeyPair();
const alice: InterfacePeer = {
  publicKey: generateKeyPair().publicKey,
  presharedKey: generatePresharedKey(),
  allowedIps: ["10.64.0.2/32"],
};
const bob: InterfacePeer = { publicKey: generateKeyPair().publicKey, allowedIps: ["10.64.0.3/32"] };

test("the syncconf text has the key, the port and one section per peer", () => {
  const rendered = renderInterfaceConfig(server.privateKey, 51820, [alice, bob]);
  assert.ok(rendered.ok);
  assert.equal(parseConf(rendered.value), {
    interface: { PrivateKey: server.privateKey, ListenPort: "51820" },
    peers: [
      { PublicKey: alice.publicKey, PresharedKey: alice.presharedKey!, AllowedIPs: "10.64.0.2/32" },
      { PublicKey: bob.publicKey, AllowedIPs: "10.64.0.3/32" },
    ],
  });
});

test("a peer without allowed IPs (a vantage probe) gets no AllowedIPs line", () => {
  const vantage: InterfacePeer = { publicKey: generateKeyPair().publicKey, allowedIps: [] };
  const rendered = renderInterfaceConfig(server.privateKey, 51820, [bob, vantage]);
  assert.ok(rendered.ok);
  assert.equal(parseConf(rendered.value).peers, [
    { PublicKey: bob.publicKey, AllowedIPs: "10.64.0.3/32" },
    { PublicKey: vantage.publicKey },
  ]);
});

test("no peers gives an interface section only, which removes every peer", () => {
  const rendered = renderInterfaceConfig(server.privateKey, 51820, []);
  assert.ok(rendered.ok);
  assert.equal(parseConf(rendered.value).peers, []);
});

test("a malformed or repeated peer is refused, naming the peer", () => {
  const cases: [InterfacePeer[], RegExp][] = [
    [[{ ...alice, publicKey: "x\nListenPort = 1" }], /public key/],
    [[{ ...alice, presharedKey: "short" }], /preshared key/],
    [[{ ...alice, allowedIps: ["10.64.0.2"] }], /allowed IPs/],
    [[alice, bob, alice], /listed twice/],
  ];
  for (const [peers, pattern] of cases) {
    const rendered = renderInterfaceConfig(server.privateKey, 51820, peers);
    assert.ok(!rendered.ok, JSON.stringify(peers));
    assert.is(rendered.error.code, "VPN_PEER_INVALID");
    assert.match(rendered.error.message, pattern);
  }
});

test("peerProblem is null for a good peer", () => {
  assert.is(peerProblem(alice), null);
  assert.is(peerProblem({ ...bob, allowedIps: ["fd00::3/128", "10.64.0.3/32"] }), null);
});

test.run();
