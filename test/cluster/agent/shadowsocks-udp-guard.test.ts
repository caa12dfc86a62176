import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  renderShadowsocksUdpGuard,
  renderShadowsocksUdpGuardRemoval,
  SHADOWSOCKS_UDP_GUARD_TABLE,
} from "../../../cluster/agent/shadowsocks-udp-guard.ts";
import { DEFAULT_BLOCKED_DESTINATIONS } from "../../../shared/blocked-destinations.ts";

test("every blocked network gets one rule: new UDP flows of the ss-servers' user there are dropped, but for DNS", () => {
  const rendered = renderShadowsocksUdpGuard({
    ownerUid: 998,
    blockedDestinations: ["127.0.0.0/8", "169.254.0.0/16", "::ffff:0:0/96"],
  });
  assert.ok(rendered.ok);
  assert.equal(
    rendered.value.split("\n").filter((line) => line.includes("drop")),
    [
      "\t\tmeta skuid 998 ct state new ip daddr 127.0.0.0/8 udp dport != 53 drop",
      "\t\tmeta skuid 998 ct state new ip daddr 169.254.0.0/16 udp dport != 53 drop",
      "\t\tmeta skuid 998 ct state new ip6 daddr ::ffff:0:0/96 udp dport != 53 drop",
    ],
  );
  assert.match(rendered.value, /type filter hook output priority filter; policy accept;/);
});

test("the table is replaced whole in one transaction, and removal works whether or not it exists", () => {
  const rendered = renderShadowsocksUdpGuard({
    ownerUid: 998,
    blockedDestinations: DEFAULT_BLOCKED_DESTINATIONS,
  });
  assert.ok(rendered.ok);
  const head = `table inet ${SHADOWSOCKS_UDP_GUARD_TABLE}\ndelete table inet ${SHADOWSOCKS_UDP_GUARD_TABLE}\n`;
  assert.ok(rendered.value.startsWith(head));
  assert.is(renderShadowsocksUdpGuardRemoval(), head);
  assert.is(
    rendered.value.split("\n").filter((line) => line.includes("drop")).length,
    DEFAULT_BLOCKED_DESTINATIONS.length,
  );
});

test("root, or a uid that is not a positive integer, is refused: the rule would hold the host's own processes", () => {
  for (const ownerUid of [0, -1, 1.5, Number.NaN]) {
    const rendered = renderShadowsocksUdpGuard({ ownerUid, blockedDestinations: ["127.0.0.0/8"] });
    assert.is(rendered.ok ? "" : rendered.error.code, "SS_UDP_GUARD_INVALID", String(ownerUid));
  }
});

test("a destination that is not a network is refused before any text reaches nft", () => {
  for (const destination of ["127.0.0.1", "10.0.0.0/8; flush ruleset", "fe80::/129", "\n"]) {
    const rendered = renderShadowsocksUdpGuard({
      ownerUid: 998,
      blockedDestinations: [destination],
    });
    assert.is(rendered.ok ? "" : rendered.error.code, "SS_UDP_GUARD_INVALID", destination);
  }
});

test.run();
