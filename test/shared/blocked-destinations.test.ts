import { BlockList, isIP } from "node:net";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  DEFAULT_BLOCKED_DESTINATIONS,
  parseBlockedDestinations,
} from "../../shared/blocked-destinations.ts";

/** Whether a rule of the address's own family covers it, as ss-server matches them. */
function blocks(list: readonly string[], address: string): boolean {
  const family = isIP(address) === 6 ? "ipv6" : "ipv4";
  // One family per BlockList: Node's would also match IPv4 addresses against IPv6 rules.
  const blockList = new BlockList();
  for (const network of list) {
    const [base = "", prefix = ""] = network.split("/");
    if ((isIP(base) === 6 ? "ipv6" : "ipv4") === family)
      blockList.addSubnet(base, Number(prefix), family);
  }
  return blockList.check(address, family);
}

const defaults = (() => {
  const parsed = parseBlockedDestinations(DEFAULT_BLOCKED_DESTINATIONS);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.value;
})();

test("by default every way to the server itself is blocked: loopback, 0.0.0.0, ::1, IPv4-mapped", () => {
  for (const address of ["127.0.0.1", "127.1.2.3", "0.0.0.0", "::", "::1", "::ffff:127.0.0.1"])
    assert.ok(blocks(defaults, address), address);
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
    assert.ok(blocks(defaults, address), address);
});

test("the public internet stays reachable, IPv4 and IPv6", () => {
  for (const address of ["1.1.1.1", "8.8.8.8", "172.32.0.1", "203.0.113.2", "2606:4700::1111"])
    assert.not.ok(blocks(defaults, address), address);
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
