import { test } from "uvu";
import * as assert from "uvu/assert";
import { renderLinks } from "../../../../cluster/client-config/subscription/links.ts";
import { threeEntries } from "./support.ts";

test("links: base64 of one ss:// (SIP002) and one wireguard:// link per entry; AmneziaWG left out", () => {
  const entries = threeEntries();
  const text = Buffer.from(renderLinks(entries).body, "base64").toString("utf8");
  const lines = text.split("\n");
  assert.is(lines.length, 2);
  const [ssLink, wgLink] = lines.map((line) => new URL(line));
  const ss = entries[1]!;
  const wg = entries[0]!;
  assert.ok(ss.kind === "shadowsocks" && wg.kind === "wireguard");

  assert.is(ssLink!.protocol, "ss:");
  assert.is(ssLink!.hostname, ss.host);
  assert.is(ssLink!.port, String(ss.port));
  assert.is(
    Buffer.from(ssLink!.username, "base64url").toString("utf8"),
    `${ss.method}:${ss.password}`,
  );
  assert.is(decodeURIComponent(ssLink!.hash.slice(1)), ss.name);

  assert.is(wgLink!.protocol, "wireguard:");
  assert.is(wgLink!.hostname, wg.host);
  assert.is(wgLink!.port, "51820");
  assert.is(decodeURIComponent(wgLink!.username), wg.clientPrivateKey);
  assert.is(wgLink!.searchParams.get("publickey"), wg.serverPublicKey);
  assert.is(wgLink!.searchParams.get("presharedkey"), wg.presharedKey);
  assert.is(wgLink!.searchParams.get("address"), "10.64.0.2/32");
  assert.is(wgLink!.searchParams.get("mtu"), "1280");
  assert.is(decodeURIComponent(wgLink!.hash.slice(1)), wg.name);
});

test("an IPv6 server is written in brackets", () => {
  const [, , amnezia] = threeEntries();
  assert.ok(amnezia?.kind === "wireguard");
  const text = Buffer.from(renderLinks([{ ...amnezia, amnezia: null }]).body, "base64").toString(
    "utf8",
  );
  assert.is(new URL(text).hostname, "[2001:db8::5]");
});

test.run();
