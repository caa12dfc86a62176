import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  clientSubnetOf,
  type EgressRules,
  egressTableName,
  renderEgressRemoval,
  renderEgressRuleset,
} from "../../../cluster/agent/egress-ruleset.ts";

const rules: EgressRules = {
  wireguardInterface: "wg0",
  clientSubnet: "10.64.0.0/24",
  egressInterface: "eth0",
  allowClientToClient: false,
  blockedDestinations: [],
};

function render(change: Partial<EgressRules> = {}): string {
  const rendered = renderEgressRuleset({ ...rules, ...change });
  if (!rendered.ok) throw new Error(rendered.error.message);
  return rendered.value;
}

test("the client subnet is masqueraded out of the default route's interface, in a NAT postrouting chain", () => {
  const text = render();
  assert.match(text, /type nat hook postrouting priority srcnat; policy accept;/);
  assert.match(text, /\tip saddr 10\.64\.0\.0\/24 oifname "eth0" masquerade\n/);
  assert.match(render({ egressInterface: "ens3" }), /oifname "ens3" masquerade/);
});

test("by default traffic that enters and leaves the WireGuard interface is dropped in forward", () => {
  const text = render();
  assert.match(text, /type filter hook forward priority filter; policy accept;/);
  assert.match(text, /\tiifname "wg0" oifname "wg0" drop\n/);
});

test("when clients may reach each other there is no forward drop at all", () => {
  const text = render({ allowClientToClient: true });
  assert.not.match(text, /drop/);
  assert.not.match(text, /hook forward/);
  assert.match(text, /masquerade/);
});

test("clients' traffic to a blocked destination is dropped in forward, IPv4 and IPv6, but not traffic between clients", () => {
  const text = render({ blockedDestinations: ["10.0.0.0/8", "169.254.0.0/16", "fd00::/8"] });
  assert.match(text, /\tiifname "wg0" oifname != "wg0" ip daddr 10\.0\.0\.0\/8 drop\n/);
  assert.match(text, /\tiifname "wg0" oifname != "wg0" ip daddr 169\.254\.0\.0\/16 drop\n/);
  assert.match(text, /\tiifname "wg0" oifname != "wg0" ip6 daddr fd00::\/8 drop\n/);
  const open = render({ allowClientToClient: true, blockedDestinations: ["10.0.0.0/8"] });
  assert.match(open, /hook forward/);
  assert.not.match(open, /iifname "wg0" oifname "wg0" drop/);
  assert.match(open, /oifname != "wg0" ip daddr 10\.0\.0\.0\/8 drop/);
});

test("packets for the server's own addresses on a blocked network are dropped in input; its tunnel address stays open", () => {
  const text = render({ blockedDestinations: ["10.0.0.0/8", "fd00::/8"] });
  const input = text.slice(
    text.indexOf("chain input {"),
    text.indexOf("}", text.indexOf("chain input {")),
  );
  assert.equal(input.split("\n").slice(1, -1), [
    "\t\ttype filter hook input priority filter; policy accept;",
    '\t\tiifname "wg0" ip daddr 10.64.0.0/24 accept',
    '\t\tiifname "wg0" ip daddr 10.0.0.0/8 drop',
    '\t\tiifname "wg0" ip6 daddr fd00::/8 drop',
  ]);
  assert.not.match(render(), /hook input/, "nothing blocked: no input chain");
});

test("the ruleset replaces the node's table in one transaction: declare, delete, define", () => {
  const lines = render().split("\n");
  assert.equal(lines.slice(0, 3), [
    "table inet nexaloak_wg0",
    "delete table inet nexaloak_wg0",
    "table inet nexaloak_wg0 {",
  ]);
  const definitions = lines.filter((line) => line.startsWith("table") && line.endsWith("{"));
  assert.is(definitions.length, 1, "one table only");
  assert.ok(render().endsWith("}\n"));
});

test("each WireGuard interface has its own table, named so nft accepts it", () => {
  assert.is(egressTableName("wg0"), "nexaloak_wg0");
  assert.is(egressTableName("nxl-0.a"), "nexaloak_nxl-0.a");
  assert.is(egressTableName("wg=1+x"), "nexaloak_wg_3d1_2bx");
  assert.match(render({ wireguardInterface: "nxl1" }), /table inet nexaloak_nxl1 \{/);
  assert.is.not(egressTableName("wg0"), egressTableName("wg1"));
});

test("removal declares and deletes the table, so it succeeds whether or not the table exists", () => {
  assert.is(
    renderEgressRemoval("wg0"),
    "table inet nexaloak_wg0\ndelete table inet nexaloak_wg0\n",
  );
});

test("a value that could add rules or is not a network block is refused with a typed error", () => {
  const cases: Partial<EgressRules>[] = [
    { wireguardInterface: 'wg0" accept' },
    { wireguardInterface: "wg0\nflush ruleset" },
    { egressInterface: "" },
    { egressInterface: "eth0; flush ruleset" },
    { clientSubnet: "10.64.0.1/24" },
    { clientSubnet: "10.64.0.0" },
    { clientSubnet: "fd00::/64" },
    { clientSubnet: "10.64.0.0/24\nflush ruleset" },
    { blockedDestinations: ["10.0.0.0/8 accept"] },
    { blockedDestinations: ["10.0.0.0/8\nflush ruleset"] },
    { blockedDestinations: ["none"] },
    { blockedDestinations: ["10.0.0.0/8,"] },
  ];
  for (const change of cases) {
    const rendered = renderEgressRuleset({ ...rules, ...change });
    assert.ok(!rendered.ok, JSON.stringify(change));
    assert.is(rendered.error.code, "VPN_EGRESS_INVALID");
  }
});

test("the client subnet is the network block of the server's tunnel address", () => {
  assert.equal(clientSubnetOf("10.64.0.1/24"), { ok: true, value: "10.64.0.0/24" });
  assert.equal(clientSubnetOf("10.64.17.1/20"), { ok: true, value: "10.64.16.0/20" });
  assert.equal(clientSubnetOf("10.200.0.1/16"), { ok: true, value: "10.200.0.0/16" });
  for (const bad of ["10.64.0.1", "10.64.0.1/33", "fd00::1/64", "10.64.0.1/24/1", "x/24"]) {
    const subnet = clientSubnetOf(bad);
    assert.ok(!subnet.ok, bad);
    assert.is(subnet.error.code, "VPN_EGRESS_INVALID");
  }
});

test.run();
