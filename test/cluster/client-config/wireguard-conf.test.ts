import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  type ClientConfigInput,
  renderClientConfig,
} from "../../../cluster/client-config/wireguard-conf.ts";
import { generateKeyPair, generatePresharedKey } from "../../../shared/crypto/wireguard-keys.ts";
import { parseConf } from "../../support/parse-conf.ts";

const client = generateKeyPair();
const server = generateKeyPair();
const presharedKey = generatePresharedKey();

const base: ClientConfigInput = {
  clientPrivateKey: client.privateKey,
  clientAddress: "10.64.0.2",
  serverPublicKey: server.publicKey,
  presharedKey,
  endpoint: { host: "203.0.113.7", port: 51820 },
  dns: ["1.1.1.1", "8.8.8.8"],
};

function render(input: ClientConfigInput): string {
  const rendered = renderClientConfig(input);
  if (!rendered.ok) throw new Error(rendered.error.message);
  return rendered.value;
}

test("a config has the standard fields with the defaults and no MTU unless given, and parses back", () => {
  const conf = parseConf(render(base));
  assert.equal(conf.interface, {
    PrivateKey: client.privateKey,
    Address: "10.64.0.2/32",
    DNS: "1.1.1.1, 8.8.8.8",
  });
  assert.equal(conf.peers, [
    {
      PublicKey: server.publicKey,
      PresharedKey: presharedKey,
      Endpoint: "203.0.113.7:51820",
      AllowedIPs: "0.0.0.0/0, ::/0",
      PersistentKeepalive: "25",
    },
  ]);
});

test("a config carries the server's MTU in its [Interface] section", () => {
  const conf = parseConf(render({ ...base, mtu: 1280 }));
  assert.is(conf.interface.MTU, "1280");
  assert.is(conf.interface.DNS, "1.1.1.1, 8.8.8.8");
  assert.is(conf.peers.length, 1);
});

test("the text starts with [Interface], has one [Peer] and ends with a newline", () => {
  const text = render(base);
  assert.ok(text.startsWith("[Interface]\n"));
  assert.is(text.split("[Peer]").length, 2);
  assert.ok(text.endsWith("\n"));
  assert.not.ok(text.includes("\r"));
});

test("DNS, allowed IPs and keepalive can be chosen; keepalive 0 leaves it out", () => {
  const conf = parseConf(
    render({
      ...base,
      dns: ["9.9.9.9"],
      allowedIps: ["10.64.0.0/24"],
      persistentKeepaliveSeconds: 0,
    }),
  );
  assert.is(conf.interface.DNS, "9.9.9.9");
  assert.is(conf.peers[0]?.AllowedIPs, "10.64.0.0/24");
  assert.not.ok("PersistentKeepalive" in (conf.peers[0] ?? {}));
});

test("an IPv6 endpoint is written in brackets and an IPv6 address as /128", () => {
  const conf = parseConf(
    render({ ...base, clientAddress: "fd00::2", endpoint: { host: "2001:db8::7", port: 443 } }),
  );
  assert.is(conf.peers[0]?.Endpoint, "[2001:db8::7]:443");
  assert.is(conf.interface.Address, "fd00::2/128");
});

test("a DNS name endpoint is written as is", () => {
  const conf = parseConf(render({ ...base, endpoint: { host: "vpn1.example.org", port: 51820 } }));
  assert.is(conf.peers[0]?.Endpoint, "vpn1.example.org:51820");
});

test("without a preshared key the line is left out", () => {
  const { presharedKey: _, ...withoutPsk } = base;
  const conf = parseConf(render(withoutPsk));
  assert.not.ok("PresharedKey" in (conf.peers[0] ?? {}));
});

test("AmneziaWG parameters add Jc, Jmin, Jmax, S1, S2, H1-H4 to [Interface]", () => {
  const amnezia = {
    jc: 4,
    jmin: 40,
    jmax: 70,
    s1: 15,
    s2: 42,
    h1: 1111,
    h2: 2222,
    h3: 3333,
    h4: 4444,
  };
  const conf = parseConf(render({ ...base, amnezia }));
  assert.equal(conf.interface, {
    PrivateKey: client.privateKey,
    Address: "10.64.0.2/32",
    DNS: "1.1.1.1, 8.8.8.8",
    Jc: "4",
    Jmin: "40",
    Jmax: "70",
    S1: "15",
    S2: "42",
    H1: "1111",
    H2: "2222",
    H3: "3333",
    H4: "4444",
  });
  assert.not.ok("Jc" in (conf.peers[0] ?? {}));
});

test("a plain server's config has no AmneziaWG fields", () => {
  assert.not.match(render(base), /^(Jc|Jmin|Jmax|S1|S2|H1|H2|H3|H4) =/m);
});

test("every bad value is refused and named, so nothing can inject lines", () => {
  const cases: [Partial<ClientConfigInput>, RegExp][] = [
    [{ clientPrivateKey: `${client.privateKey}\nPostUp = rm -rf /` }, /clientPrivateKey/],
    [{ serverPublicKey: "short" }, /serverPublicKey/],
    [{ presharedKey: "not a key" }, /presharedKey/],
    [{ clientAddress: "10.64.0.2/32" }, /clientAddress/],
    [{ clientAddress: "10.64.0.2\nDNS = 6.6.6.6" }, /clientAddress/],
    [{ endpoint: { host: "evil\nhost", port: 51820 } }, /endpoint/],
    [{ endpoint: { host: "203.0.113.7", port: 0 } }, /endpoint/],
    [{ endpoint: { host: "203.0.113.7", port: 70_000 } }, /endpoint/],
    [{ dns: ["one.one.one.one"] }, /dns/],
    [{ dns: [] }, /dns/],
    [{ mtu: 1279 }, /mtu/],
    [{ mtu: 1441 }, /mtu/],
    [{ mtu: 1300.5 }, /mtu/],
    [{ allowedIps: [] }, /allowedIps/],
    [{ allowedIps: ["0.0.0.0/33"] }, /allowedIps/],
    [{ persistentKeepaliveSeconds: -1 }, /persistentKeepaliveSeconds/],
    [{ persistentKeepaliveSeconds: 2.5 }, /persistentKeepaliveSeconds/],
    [
      { amnezia: { jc: 4, jmin: 80, jmax: 40, s1: 15, s2: 42, h1: 5, h2: 6, h3: 7, h4: 8 } },
      /jmin/,
    ],
  ];
  for (const [change, pattern] of cases) {
    const rendered = renderClientConfig({ ...base, ...change });
    assert.ok(!rendered.ok, JSON.stringify(change));
    assert.is(rendered.error.code, "INVALID_CLIENT_CONFIG");
    assert.match(rendered.error.message, pattern);
  }
});

test("all problems are listed at once", () => {
  const rendered = renderClientConfig({ ...base, serverPublicKey: "x", clientAddress: "y" });
  assert.ok(!rendered.ok);
  assert.match(rendered.error.message, /serverPublicKey.*clientAddress/);
});

test.run();
