import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseTrustedNetworks } from "../../shared/trusted-networks.ts";

function trusts(networks: string, address: string | undefined): boolean {
  const parsed = parseTrustedNetworks(networks);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.value(address);
}

test("addresses inside the listed networks are trusted, IPv4 and IPv6, mapped or not", () => {
  assert.ok(trusts("10.0.0.0/8,fd00::/8", "10.1.2.3"));
  assert.ok(trusts("10.0.0.0/8,fd00::/8", "::ffff:10.1.2.3"));
  assert.ok(trusts("10.0.0.0/8,fd00::/8", "fd12::1"));
  assert.not.ok(trusts("10.0.0.0/8,fd00::/8", "11.0.0.1"));
  assert.not.ok(trusts("10.0.0.0/8", undefined));
  assert.not.ok(trusts("10.0.0.0/8", "not an address"));
});

test("none trusts nobody, not even loopback", () => {
  assert.not.ok(trusts("none", "127.0.0.1"));
});

test("anything that is not a network is refused with the form to use", () => {
  for (const bad of [
    "10.0.0.0",
    "10.0.0.0/33",
    "fd00::/129",
    "example.com/8",
    "10.0.0.0/8/1",
    "10.0.0.0/x",
  ]) {
    const parsed = parseTrustedNetworks(bad);
    assert.is(parsed.ok ? "accepted" : parsed.error.code, "INVALID_NETWORKS", bad);
  }
});

test.run();
