import { test } from "uvu";
import * as assert from "uvu/assert";
import { diffPeers, isEmptyDiff } from "../../../cluster/agent/peer-diff.ts";
import type { InterfacePeer, PeerStatus } from "../../../cluster/agent/vpn-driver.ts";

function status(
  publicKey: string,
  allowedIps: string[],
  presharedKey: string | null = null,
): PeerStatus {
  return {
    publicKey,
    presharedKey,
    endpoint: null,
    allowedIps,
    latestHandshakeAtMs: null,
    receivedBytes: 0,
    sentBytes: 0,
    persistentKeepaliveSeconds: null,
  };
}

test("identical peers give an empty diff, whatever the order of allowed IPs", () => {
  const desired: InterfacePeer[] = [
    { publicKey: "A", presharedKey: "PSK", allowedIps: ["10.64.0.2/32", "fd00::2/128"] },
    { publicKey: "B", allowedIps: ["10.64.0.3/32"] },
  ];
  const actual = [
    status("B", ["10.64.0.3/32"]),
    status("A", ["fd00::2/128", "10.64.0.2/32"], "PSK"),
  ];
  const diff = diffPeers(desired, actual);
  assert.equal(diff, { added: [], removed: [], changed: [] });
  assert.ok(isEmptyDiff(diff));
});

test("missing peers are added, extra peers removed, sorted by key", () => {
  const desired: InterfacePeer[] = [
    { publicKey: "D", allowedIps: ["10.64.0.5/32"] },
    { publicKey: "A", allowedIps: ["10.64.0.2/32"] },
    { publicKey: "C", allowedIps: ["10.64.0.4/32"] },
  ];
  const actual = [
    status("A", ["10.64.0.2/32"]),
    status("Z", ["10.64.0.9/32"]),
    status("B", ["10.64.0.3/32"]),
  ];
  assert.equal(diffPeers(desired, actual), { added: ["C", "D"], removed: ["B", "Z"], changed: [] });
});

test("another preshared key or other allowed IPs count as a change", () => {
  const desired: InterfacePeer[] = [
    { publicKey: "A", presharedKey: "NEW", allowedIps: ["10.64.0.2/32"] },
    { publicKey: "B", allowedIps: ["10.64.0.3/32"] },
    { publicKey: "C", allowedIps: ["10.64.0.4/32"] },
  ];
  const actual = [
    status("A", ["10.64.0.2/32"], "OLD"),
    status("B", ["10.64.0.30/32"]),
    status("C", ["10.64.0.4/32"], "UNWANTED"),
  ];
  const diff = diffPeers(desired, actual);
  assert.equal(diff, { added: [], removed: [], changed: ["A", "B", "C"] });
  assert.not.ok(isEmptyDiff(diff));
});

test("desired peers compare with desired peers too (what was last applied)", () => {
  const peers: InterfacePeer[] = [{ publicKey: "A", allowedIps: ["10.64.0.2/32"] }];
  assert.ok(isEmptyDiff(diffPeers(peers, peers)));
  assert.equal(diffPeers([], peers), { added: [], removed: ["A"], changed: [] });
});

test.run();
