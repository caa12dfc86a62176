import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseDefaultRouteInterface } from "../../../cluster/agent/default-route.ts";

test("the interface of the one default route is read from ip -j route show default", () => {
  const json =
    '[{"dst":"default","gateway":"203.0.113.1","dev":"eth0","protocol":"dhcp","flags":[]}]';
  assert.equal(parseDefaultRouteInterface(json), { ok: true, value: "eth0" });
});

test("of several default routes, the one with the lowest metric wins, as in the kernel", () => {
  const json = JSON.stringify([
    { dst: "default", gateway: "198.51.100.1", dev: "wlan0", metric: 600, flags: [] },
    { dst: "default", gateway: "203.0.113.1", dev: "ens3", metric: 100, flags: [] },
    { dst: "default", gateway: "192.0.2.1", dev: "eth9", metric: 1024, flags: [] },
  ]);
  assert.equal(parseDefaultRouteInterface(json), { ok: true, value: "ens3" });
});

test("no default route is its own error, saying how to add one", () => {
  const parsed = parseDefaultRouteInterface("[]");
  assert.ok(!parsed.ok);
  assert.is(parsed.error.code, "VPN_NO_DEFAULT_ROUTE");
  assert.match(parsed.error.message, /ip route add default/);
});

test("output that cannot be read gives a typed error, never a throw", () => {
  const cases = [
    "",
    "not json",
    "{}",
    "null",
    "[null]",
    '[{"dst":"default"}]',
    '[{"dst":"default","dev":42}]',
    '[{"dst":"default","dev":"eth0\\" accept"}]',
    '[{"dst":"default","dev":"eth0","metric":"high"}]',
    '[{"dst":"default","nexthops":[{"gateway":"192.0.2.1","dev":"eth0"}]}]',
  ];
  for (const text of cases) {
    const parsed = parseDefaultRouteInterface(text);
    assert.ok(!parsed.ok, text);
    assert.is(parsed.error.code, "VPN_OUTPUT_UNREADABLE", text);
  }
});

test.run();
