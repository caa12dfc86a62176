import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "yaml";
import {
  CLASH_PROXY_GROUP,
  renderClash,
} from "../../../../cluster/client-config/subscription/clash.ts";
import { threeEntries } from "./support.ts";

interface ClashProfile {
  proxies: Array<Record<string, unknown> & { name: string; type: string }>;
  "proxy-groups": Array<{ name: string; type: string; proxies: string[] }>;
  rules: string[];
}

test("Clash Meta: YAML with an ss proxy and wireguard proxies (AmneziaWG options included), a selector and a MATCH rule", () => {
  const entries = threeEntries();
  const rendered = renderClash(entries);
  assert.match(rendered.contentType, /yaml/);
  const profile = parse(rendered.body) as ClashProfile;
  const [wg, ss, amnezia] = entries;
  assert.ok(
    wg?.kind === "wireguard" && ss?.kind === "shadowsocks" && amnezia?.kind === "wireguard",
  );

  const ssProxy = profile.proxies.find((proxy) => proxy.type === "ss")!;
  assert.equal(
    { ...ssProxy },
    {
      name: ss.name,
      type: "ss",
      server: ss.host,
      port: ss.port,
      cipher: ss.method,
      password: ss.password,
      udp: true,
    },
  );
  const wgProxies = profile.proxies.filter((proxy) => proxy.type === "wireguard");
  assert.is(wgProxies.length, 2);
  const [plain, obfuscated] = wgProxies;
  // The fields mihomo requires of a wireguard proxy.
  for (const proxy of wgProxies)
    for (const field of ["name", "server", "port", "private-key", "public-key"])
      assert.ok(proxy[field] !== undefined, `${field} of ${proxy.name}`);
  assert.is(plain!.ip, "10.64.0.2");
  assert.is(plain!["private-key"], wg.clientPrivateKey);
  assert.is(plain!["public-key"], wg.serverPublicKey);
  assert.is(plain!["pre-shared-key"], wg.presharedKey);
  assert.is(plain!.mtu, 1280);
  assert.is(plain!["amnezia-wg-option"], undefined);
  assert.is(obfuscated!.server, "2001:db8::5");
  assert.equal(obfuscated!["amnezia-wg-option"], amnezia.amnezia);

  const names = profile.proxies.map((proxy) => proxy.name);
  assert.is(new Set(names).size, names.length, "proxy names are unique");
  assert.equal(profile["proxy-groups"], [
    { name: CLASH_PROXY_GROUP, type: "select", proxies: names },
  ]);
  assert.equal(profile.rules, [`MATCH,${CLASH_PROXY_GROUP}`]);
});

test("with no entry the group holds REJECT only", () => {
  const profile = parse(renderClash([]).body) as ClashProfile;
  assert.equal(profile.proxies, []);
  assert.equal(profile["proxy-groups"][0]!.proxies, ["REJECT"]);
});

test.run();
