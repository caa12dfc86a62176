import { test } from "uvu";
import * as assert from "uvu/assert";
import { generateKeyPair, generatePresharedKey } from "../../../shared/crypto/wireguard-keys.ts";
import {
  openWithWireGuardKey,
  sealToWireGuardKey,
} from "../../../shared/crypto/wireguard-sealed-box.ts";

const server = generateKeyPair();
const otherServer = generateKeyPair();
const peer = generateKeyPair().publicKey;
const presharedKey = generatePresharedKey();

test("only the server whose key it was sealed to opens it, for the same peer", () => {
  const sealed = sealToWireGuardKey(server.publicKey, peer, presharedKey);
  assert.equal(openWithWireGuardKey(server, peer, sealed), { ok: true, value: presharedKey });
  const elsewhere = openWithWireGuardKey(otherServer, peer, sealed);
  assert.ok(!elsewhere.ok);
  assert.is(elsewhere.error.code, "SEALED_BOX_AUTH_FAILED");
  const otherPeer = openWithWireGuardKey(server, generateKeyPair().publicKey, sealed);
  assert.ok(!otherPeer.ok, "moved to another peer it does not open");
});

test("each seal uses a fresh ephemeral key and never shows the secret", () => {
  const first = sealToWireGuardKey(server.publicKey, peer, presharedKey);
  const second = sealToWireGuardKey(server.publicKey, peer, presharedKey);
  assert.is.not(first, second);
  assert.match(first, /^x1\.[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]+$/);
  assert.not.ok(first.includes(presharedKey));
});

test("altered, truncated or garbage values are refused without throwing", () => {
  const sealed = sealToWireGuardKey(server.publicKey, peer, presharedKey);
  const lastDot = sealed.lastIndexOf(".");
  const flipped = `${sealed.slice(0, lastDot + 3)}${sealed[lastDot + 3] === "A" ? "B" : "A"}${sealed.slice(lastDot + 4)}`;
  for (const bad of [
    "",
    "x1",
    "x1..",
    "x2.a.b",
    sealed.slice(0, -3),
    flipped,
    `${sealed}.extra`,
    `x1.${"A".repeat(43)}.${"A".repeat(10)}`,
  ]) {
    const opened = openWithWireGuardKey(server, peer, bad);
    assert.ok(!opened.ok, bad);
    assert.ok(["SEALED_BOX_MALFORMED", "SEALED_BOX_AUTH_FAILED"].includes(opened.error.code));
  }
});

test.run();
