import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  renderShadowsocksUdpGuard,
  renderShadowsocksUdpGuardRemoval,
  SHADOWSOCKS_UDP_GUARD_TABLE,
  type ShadowsocksUdpGuard,
} from "../../../cluster/agent/shadowsocks-udp-guard.ts";
import { DEFAULT_BLOCKED_DESTINATIONS } from "../../../shared/blocked-destinations.ts";

function ruleLines(guard: ShadowsocksUdpGuard): string[] {
  const rendered = renderShadowsocksUdpGuard(guard);
  if (!rendered.ok) throw new Error(rendered.error.message);
  return rendered.value.split("\n").filter((line) => /accept$|drop$/.test(line));
}

test("the host's resolvers stay open on port 53; every other new UDP flow of the ss-servers' user to a blocked network is dropped", () => {
  assert.equal(
    ruleLines({
      ownerUid: 998,
      blockedDestinations: ["127.0.0.0/8", "169.254.0.0/16", "::ffff:0:0/96"],
      resolvers: ["127.0.0.53", "fd00::53"],
    }),
    [
      "\t\tmeta skuid 998 ip daddr 127.0.0.53 udp dport 53 accept",
      "\t\tmeta skuid 998 ip6 daddr fd00::53 udp dport 53 accept",
      "\t\tmeta skuid 998 ct state new ip daddr 127.0.0.0/8 meta l4proto udp drop",
      "\t\tmeta skuid 998 ct state new ip daddr 169.254.0.0/16 meta l4proto udp drop",
      "\t\tmeta skuid 998 ct state new ip6 daddr ::ffff:0:0/96 meta l4proto udp drop",
    ],
  );
});

test("with the resolvers unknown, port 53 stays open on every blocked network, so names still resolve", () => {
  assert.equal(
    ruleLines({ ownerUid: 998, blockedDestinations: ["10.0.0.0/8"], resolvers: undefined }),
    ["\t\tmeta skuid 998 ct state new ip daddr 10.0.0.0/8 udp dport != 53 drop"],
  );
});

test("the table is replaced whole in one transaction, and removal works whether or not it exists", () => {
  const rendered = renderShadowsocksUdpGuard({
    ownerUid: 998,
    blockedDestinations: DEFAULT_BLOCKED_DESTINATIONS,
    resolvers: [],
  });
  assert.ok(rendered.ok);
  const head = `table inet ${SHADOWSOCKS_UDP_GUARD_TABLE}\ndelete table inet ${SHADOWSOCKS_UDP_GUARD_TABLE}\n`;
  assert.ok(rendered.value.startsWith(head));
  assert.match(rendered.value, /type filter hook output priority filter; policy accept;/);
  assert.is(renderShadowsocksUdpGuardRemoval(), head);
  assert.is(
    rendered.value.split("\n").filter((line) => line.endsWith("drop")).length,
    DEFAULT_BLOCKED_DESTINATIONS.length,
  );
});

test("root, or a uid that is not a positive integer, is refused: the rule would hold the host's own processes", () => {
  for (const ownerUid of [0, -1, 1.5, Number.NaN]) {
    const rendered = renderShadowsocksUdpGuard({
      ownerUid,
      blockedDestinations: ["127.0.0.0/8"],
      resolvers: [],
    });
    assert.is(rendered.ok ? "" : rendered.error.code, "SS_UDP_GUARD_INVALID", String(ownerUid));
  }
});

test("a destination that is not a network, or a resolver that is not an address, is refused before any text reaches nft", () => {
  for (const destination of ["127.0.0.1", "10.0.0.0/8; flush ruleset", "fe80::/129", "\n"]) {
    const rendered = renderShadowsocksUdpGuard({
      ownerUid: 998,
      blockedDestinations: [destination],
      resolvers: [],
    });
    assert.is(rendered.ok ? "" : rendered.error.code, "SS_UDP_GUARD_INVALID", destination);
  }
  for (const resolver of ["localhost", "127.0.0.1 accept; flush ruleset", "10.0.0.0/8"]) {
    const rendered = renderShadowsocksUdpGuard({
      ownerUid: 998,
      blockedDestinations: ["127.0.0.0/8"],
      resolvers: [resolver],
    });
    assert.is(rendered.ok ? "" : rendered.error.code, "SS_UDP_GUARD_INVALID", resolver);
  }
});

test.run();
