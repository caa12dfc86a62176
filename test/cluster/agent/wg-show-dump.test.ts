import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseWgShowDump } from "../../../cluster/agent/wg-show-dump.ts";

const serverPrivate = "EJYnUu4kb3Wa2o1zZfmhD28yrytlgjszaQjlPhHD+HY=";
const serverPublic = "1/w8uw6J3MhLKkkLurGgRr1PGwHM91IPC5GjWEn0GSc=";
const alice = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=";
const bob = "TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0=";
const carol = "gN65BkIKy1eCE9pP1wdc8ROUtkHLF2PfAqYdyYBz6EA=";
const presharedKey = "FpCyhws9cxwWoV4xELtfJvjJN+zQVRPISllRWgeopVE=";

/** What `wg show wg0 dump` prints for a server with three clients. */
const dump = [
  [serverPrivate, serverPublic, "51820", "off"],
  [
    alice,
    presharedKey,
    "203.0.113.9:53012",
    "10.64.0.2/32",
    "1700000000",
    "123456",
    "654321",
    "25",
  ],
  [bob, "(none)", "(none)", "10.64.0.3/32,fd00::3/128", "0", "0", "0", "off"],
  [carol, "(none)", "[2001:db8::9]:4500", "(none)", "1700000100", "5", "7", "off"],
]
  .map((fields) => fields.join("\t"))
  .join("\n");

test("the interface line gives public key, port and mark, never the private key", () => {
  const parsed = parseWgShowDump(`${dump}\n`);
  assert.ok(parsed.ok);
  assert.equal(parsed.value.interface, {
    publicKey: serverPublic,
    listenPort: 51820,
    fwmark: null,
  });
  assert.not.ok(JSON.stringify(parsed.value).includes(serverPrivate));
});

test("each peer line gives keys, endpoint, allowed IPs, handshake time and counters", () => {
  const parsed = parseWgShowDump(dump);
  assert.ok(parsed.ok);
  assert.equal(parsed.value.peers, [
    {
      publicKey: alice,
      presharedKey,
      endpoint: "203.0.113.9:53012",
      allowedIps: ["10.64.0.2/32"],
      latestHandshakeAtMs: 1_700_000_000_000,
      receivedBytes: 123456,
      sentBytes: 654321,
      persistentKeepaliveSeconds: 25,
    },
    {
      publicKey: bob,
      presharedKey: null,
      endpoint: null,
      allowedIps: ["10.64.0.3/32", "fd00::3/128"],
      latestHandshakeAtMs: null,
      receivedBytes: 0,
      sentBytes: 0,
      persistentKeepaliveSeconds: null,
    },
    {
      publicKey: carol,
      presharedKey: null,
      endpoint: "[2001:db8::9]:4500",
      allowedIps: [],
      latestHandshakeAtMs: 1_700_000_100_000,
      receivedBytes: 5,
      sentBytes: 7,
      persistentKeepaliveSeconds: null,
    },
  ]);
});

test("an interface without peers, key or with a firewall mark parses", () => {
  const parsed = parseWgShowDump("(none)\t(none)\t0\t0xca6c\n");
  assert.equal(parsed, {
    ok: true,
    value: { interface: { publicKey: null, listenPort: 0, fwmark: 0xca6c }, peers: [] },
  });
});

test("a malformed line is refused with its line number", () => {
  const lines = dump.split("\n");
  const cases: [string, RegExp][] = [
    ["", /empty/],
    [`${serverPublic}\t51820\toff`, /line 1: expected 4 fields/],
    [`${serverPrivate}\t${serverPublic}\tport\toff`, /line 1: listen port/],
    [`${serverPrivate}\t${serverPublic}\t51820\tmark`, /line 1: fwmark/],
    [[lines[0], lines[1], `${bob}\t(none)`].join("\n"), /line 3: expected 8 fields/],
    [[lines[0], lines[1]?.replace("123456", "12k")].join("\n"), /line 2: .*numbers/],
    [[lines[0], lines[1]?.replace(/\t25$/, "\tsoon")].join("\n"), /line 2: persistent keepalive/],
  ];
  for (const [text, pattern] of cases) {
    const parsed = parseWgShowDump(text);
    assert.ok(!parsed.ok, text);
    assert.is(parsed.error.code, "VPN_OUTPUT_UNREADABLE");
    assert.match(parsed.error.message, pattern);
  }
});

test.run();
