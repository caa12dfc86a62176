import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  renderSingBox,
  SING_BOX_PROXY_TAG,
} from "../../../../cluster/client-config/subscription/sing-box.ts";
import { threeEntries } from "./support.ts";

interface Profile {
  inbounds: Array<Record<string, unknown>>;
  outbounds: Array<Record<string, unknown> & { type: string; tag: string }>;
  endpoints: Array<Record<string, unknown> & { peers: Array<Record<string, unknown>> }>;
  route: { final?: string; rules: Array<Record<string, unknown>> };
  dns: { servers: Array<Record<string, unknown>> };
}

test("sing-box: a TUN inbound, a Shadowsocks outbound, a WireGuard endpoint with its peer, a selector over both", () => {
  const entries = threeEntries();
  const profile = JSON.parse(renderSingBox(entries).body) as Profile;
  const [wg, ss] = entries;
  assert.ok(wg?.kind === "wireguard" && ss?.kind === "shadowsocks");

  assert.is(profile.inbounds[0]!.type, "tun");
  const shadowsocks = profile.outbounds.find((outbound) => outbound.type === "shadowsocks")!;
  assert.equal(shadowsocks, {
    type: "shadowsocks",
    tag: ss.name,
    server: ss.host,
    server_port: ss.port,
    method: ss.method,
    password: ss.password,
  });
  assert.is(
    profile.endpoints.length,
    1,
    "the AmneziaWG entry is left out: sing-box cannot speak it",
  );
  const endpoint = profile.endpoints[0]!;
  assert.is(endpoint.type, "wireguard");
  assert.is(endpoint.tag, wg.name);
  assert.equal(endpoint.address, ["10.64.0.2/32"]);
  assert.is(endpoint.private_key, wg.clientPrivateKey);
  assert.is(endpoint.mtu, 1280);
  const peer = endpoint.peers[0]!;
  assert.is(peer.address, wg.host);
  assert.is(peer.port, wg.port);
  assert.is(peer.public_key, wg.serverPublicKey);
  assert.is(peer.pre_shared_key, wg.presharedKey);
  assert.equal(peer.allowed_ips, ["0.0.0.0/0", "::/0"]);

  const selector = profile.outbounds.find((outbound) => outbound.type === "selector")!;
  assert.is(selector.tag, SING_BOX_PROXY_TAG);
  assert.equal(selector.outbounds, [ss.name, wg.name]);
  assert.is(profile.route.final, SING_BOX_PROXY_TAG);
  assert.is(
    profile.dns.servers[0]!.server,
    "1.1.1.1",
    "the server's own resolver, through the proxy",
  );
  assert.is(profile.dns.servers[0]!.detour, SING_BOX_PROXY_TAG);
  const tags = [...profile.outbounds, ...profile.endpoints].map((item) => item.tag);
  assert.is(new Set(tags).size, tags.length, "tags are unique");
});

test("with no entry the profile rejects traffic instead of sending it around the tunnel", () => {
  const profile = JSON.parse(renderSingBox([]).body) as Profile;
  assert.is(profile.route.final, undefined);
  assert.ok(profile.route.rules.some((rule) => rule.action === "reject"));
  assert.not.ok(profile.outbounds.some((outbound) => outbound.type === "selector"));
});

test.run();
