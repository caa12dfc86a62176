import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  blockedOwnAddressWarnings,
  DEFAULT_BLOCKED_DESTINATIONS,
  isBlockedAddress,
  parseBlockedDestinations,
} from "../../shared/blocked-destinations.ts";

const defaults = (() => {
  const parsed = parseBlockedDestinations(DEFAULT_BLOCKED_DESTINATIONS.join(","));
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.value;
})();

test("by default every way to the server itself is blocked: loopback, 0.0.0.0, ::1, IPv4-mapped", () => {
  for (const address of ["127.0.0.1", "127.1.2.3", "0.0.0.0", "::", "::1", "::ffff:127.0.0.1"])
    assert.ok(isBlockedAddress(defaults, address), address);
});

test("by default the networks behind a server are blocked: private, carrier NAT, metadata, link-local, multicast", () => {
  for (const address of [
    "10.1.2.3",
    "172.16.0.1",
    "172.31.255.254",
    "192.168.1.1",
    "100.64.0.1",
    "169.254.169.254",
    "224.0.0.1",
    "255.255.255.255",
    "fd00::1",
    "fe80::1",
    "ff02::1",
    "::ffff:10.0.0.1",
  ])
    assert.ok(isBlockedAddress(defaults, address), address);
});

test("the public internet stays reachable, IPv4 and IPv6", () => {
  for (const address of ["1.1.1.1", "8.8.8.8", "172.32.0.1", "203.0.113.2", "2606:4700::1111"])
    assert.not.ok(isBlockedAddress(defaults, address), address);
});

test("a name is never taken for a blocked address: only IP addresses are matched", () => {
  assert.not.ok(isBlockedAddress(defaults, "localhost"));
  assert.not.ok(isBlockedAddress(defaults, "vpn1.example.net"));
});

test("the operator hears of what the node needs that the list blocks: its own public address, clients' resolvers", () => {
  const settings = {
    blocked: defaults,
    publicHost: "203.0.113.2",
    clientDns: ["1.1.1.1", "8.8.8.8"],
    servesShadowsocks: true,
  };
  assert.equal(blockedOwnAddressWarnings(settings), [], "a public fleet with public resolvers");
  const lab = blockedOwnAddressWarnings({
    ...settings,
    publicHost: "10.0.0.5",
    clientDns: ["1.1.1.1", "10.0.0.2"],
  });
  assert.is(lab.length, 2);
  assert.match(lab[0] ?? "", /^PUBLIC_HOST 10\.0\.0\.5 is in BLOCKED_DESTINATIONS/);
  assert.match(lab[1] ?? "", /^CLIENT_DNS 10\.0\.0\.2 is in BLOCKED_DESTINATIONS/);
  const withoutShadowsocks = blockedOwnAddressWarnings({
    ...settings,
    publicHost: "10.0.0.5",
    servesShadowsocks: false,
  });
  assert.equal(withoutShadowsocks, [], "no Shadowsocks ban check to fail");
  assert.equal(
    blockedOwnAddressWarnings({ ...settings, publicHost: "vpn1.example.net" }),
    [],
    "a name is not resolved",
  );
});

test("a list is parsed into address/prefix entries, and none blocks nothing", () => {
  assert.equal(parseBlockedDestinations(" 127.0.0.0/8 , ::1/128"), {
    ok: true,
    value: ["127.0.0.0/8", "::1/128"],
  });
  assert.equal(parseBlockedDestinations("none"), { ok: true, value: [] });
});

test("anything but networks is refused with the form to use", () => {
  for (const bad of ["", "127.0.0.1", "localhost/8", "10.0.0.0/33", "::1/129", "10.0.0.0/8,"]) {
    const parsed = parseBlockedDestinations(bad);
    assert.is(parsed.ok ? "accepted" : parsed.error.code, "INVALID_NETWORKS", bad);
    if (!parsed.ok) assert.match(parsed.error.message, /not a network like 10\.0\.0\.0\/8/);
  }
});

test.run();
