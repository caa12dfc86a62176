import { test } from "uvu";
import * as assert from "uvu/assert";
import { desiredPeersFrom, type ReplicatedPeer } from "../../../cluster/agent/desired-peers.ts";
import { generateKeyPair, generatePresharedKey } from "../../../shared/crypto/wireguard-keys.ts";
import {
  openWithWireGuardKey,
  sealToWireGuardKey,
} from "../../../shared/crypto/wireguard-sealed-box.ts";

const serverKeys = generateKeyPair();
const decrypt = (sealed: string, peerPublicKey: string) =>
  openWithWireGuardKey(serverKeys, peerPublicKey, sealed);

function replicated(address: string | null, presharedKey: string | null): ReplicatedPeer {
  const publicKey = generateKeyPair().publicKey;
  return {
    publicKey,
    presharedKeySealed:
      presharedKey === null
        ? null
        : sealToWireGuardKey(serverKeys.publicKey, publicKey, presharedKey),
    address,
  };
}

test("peers get their opened preshared keys and host-sized allowed IPs", () => {
  const psk = generatePresharedKey();
  const withPsk = replicated("10.64.0.2", psk);
  const withoutPsk = replicated("fd00::3", null);
  const { peers, skipped } = desiredPeersFrom([withPsk, withoutPsk], decrypt);
  assert.equal(skipped, []);
  assert.equal(peers, [
    { publicKey: withPsk.publicKey, presharedKey: psk, allowedIps: ["10.64.0.2/32"] },
    { publicKey: withoutPsk.publicKey, allowedIps: ["fd00::3/128"] },
  ]);
});

test("the state machine's own peer records, with extra fields, are accepted as they are", () => {
  const record = { ...replicated("10.64.0.2", null), kind: "probe" as const };
  assert.is(desiredPeersFrom([record], decrypt).peers.length, 1);
});

test("a vantage probe's peer has no address: it handshakes and is routed nothing", () => {
  const client = replicated("10.64.0.2", null);
  const vantages = [replicated(null, null), replicated(null, null)];
  const { peers, skipped } = desiredPeersFrom([client, ...vantages], decrypt);
  assert.equal(skipped, []);
  assert.equal(
    peers.map((peer) => peer.allowedIps),
    [["10.64.0.2/32"], [], []],
  );
});

test("a peer that cannot be set up is skipped with a reason, the others stay", () => {
  const good = replicated("10.64.0.2", generatePresharedKey());
  const otherServer = generateKeyPair();
  const cases: [ReplicatedPeer, RegExp][] = [
    [replicated("10.64.0.300", null), /not an IP address/],
    [{ ...replicated("10.64.0.4", null), publicKey: "nope" }, /public key/],
    [
      {
        ...replicated("10.64.0.5", null),
        presharedKeySealed: sealToWireGuardKey(
          otherServer.publicKey,
          "peer",
          generatePresharedKey(),
        ),
      },
      /cannot be opened/,
    ],
    [replicated("10.64.0.6", "hello"), /preshared key is not/],
    [replicated("10.64.0.2", null), /already has its public key or address/],
    [{ ...replicated("10.64.0.7", null), publicKey: good.publicKey }, /already has/],
  ];
  const { peers, skipped } = desiredPeersFrom([good, ...cases.map(([bad]) => bad)], decrypt);
  assert.equal(
    peers.map((peer) => peer.publicKey),
    [good.publicKey],
  );
  assert.equal(
    skipped.map((skip) => skip.publicKey),
    cases.map(([bad]) => bad.publicKey),
  );
  for (const [index, [, pattern]] of cases.entries()) {
    assert.match(skipped[index]?.reason ?? "", pattern);
  }
});

test.run();
