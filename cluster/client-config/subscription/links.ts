/**
 * A plain list of links, one per line, base64 as a whole: what v2rayNG,
 * Streisand, Shadowrocket and most other clients import. Shadowsocks entries
 * are SIP002 `ss://` links; WireGuard entries are `wireguard://` links as
 * v2rayNG, Hiddify and sing-box read them. AmneziaWG entries are left out:
 * no link format carries their parameters.
 */
import {
  hostPrefix,
  plainWireGuardEntries,
  type RenderedSubscription,
  type ShadowsocksEntry,
  type SubscriptionEntry,
  shadowsocksEntries,
  type WireGuardEntry,
} from "./entries.ts";

function hostInUri(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

/** SIP002: `ss://base64url(method:password)@host:port#name`. */
export function shadowsocksLink(entry: ShadowsocksEntry): string {
  const userInfo = Buffer.from(`${entry.method}:${entry.password}`, "utf8").toString("base64url");
  return `ss://${userInfo}@${hostInUri(entry.host)}:${entry.port}#${encodeURIComponent(entry.name)}`;
}

/** `wireguard://<private key>@host:port?publickey=…&presharedkey=…&address=…&mtu=…#name`. */
export function wireGuardLink(entry: WireGuardEntry): string {
  const query = new URLSearchParams({
    publickey: entry.serverPublicKey,
    presharedkey: entry.presharedKey,
    address: hostPrefix(entry.clientAddress),
  });
  if (entry.mtu !== null) query.set("mtu", String(entry.mtu));
  const privateKey = encodeURIComponent(entry.clientPrivateKey);
  return `wireguard://${privateKey}@${hostInUri(entry.host)}:${entry.port}?${query}#${encodeURIComponent(entry.name)}`;
}

export function renderLinks(entries: readonly SubscriptionEntry[]): RenderedSubscription {
  const lines = [
    ...shadowsocksEntries(entries).map(shadowsocksLink),
    ...plainWireGuardEntries(entries).map(wireGuardLink),
  ];
  return {
    body: Buffer.from(lines.join("\n"), "utf8").toString("base64"),
    contentType: "text/plain; charset=utf-8",
  };
}
