import { test } from "uvu";
import * as assert from "uvu/assert";
import { addressChanges, parseIpAddressShow } from "../../../cluster/agent/ip-address-show.ts";

/** `ip -j address show dev wg0` for a wireguard-go interface that is up with one address. */
const upWithAddress = JSON.stringify([
  {
    ifindex: 2,
    ifname: "wg0",
    flags: ["POINTOPOINT", "MULTICAST", "NOARP", "UP", "LOWER_UP"],
    mtu: 1420,
    operstate: "UNKNOWN",
    addr_info: [
      { family: "inet", local: "10.64.0.1", prefixlen: 24, scope: "global", label: "wg0" },
      { family: "inet6", local: "fe80::1", prefixlen: 64, scope: "link" },
    ],
  },
]);

/** The same interface just after creation: down, no addresses. */
const freshlyCreated =
  '[{"ifindex":2,"ifname":"wg0","flags":["POINTOPOINT","MULTICAST","NOARP"],"mtu":1420,"operstate":"DOWN","addr_info":[]}]';

test("an up interface reports up, its MTU and its global addresses only", () => {
  assert.equal(parseIpAddressShow(upWithAddress), {
    ok: true,
    value: { up: true, addresses: ["10.64.0.1/24"], mtu: 1420 },
  });
});

test("a fresh interface is down with no addresses", () => {
  assert.equal(parseIpAddressShow(freshlyCreated), {
    ok: true,
    value: { up: false, addresses: [], mtu: 1420 },
  });
});

test("output that is not one interface's JSON is refused", () => {
  const noMtu = '[{"flags":[],"addr_info":[]}]';
  for (const text of [
    "",
    "not json",
    "[]",
    "[{}]",
    '[{"flags":[],"addr_info":[{}]}]',
    "{}",
    noMtu,
  ]) {
    const parsed = parseIpAddressShow(text);
    assert.ok(!parsed.ok, text);
    assert.is(parsed.error.code, "VPN_OUTPUT_UNREADABLE");
  }
});

test("address changes add the desired address and remove every other one", () => {
  assert.equal(addressChanges([], "10.64.0.1/24"), { add: ["10.64.0.1/24"], remove: [] });
  assert.equal(addressChanges(["10.64.0.1/24"], "10.64.0.1/24"), { add: [], remove: [] });
  assert.equal(addressChanges(["10.64.0.1/20", "10.9.0.1/24"], "10.64.0.1/24"), {
    add: ["10.64.0.1/24"],
    remove: ["10.64.0.1/20", "10.9.0.1/24"],
  });
  assert.equal(addressChanges(["fd00::1/64"], "FD00::1/64"), { add: [], remove: [] });
});

test.run();
