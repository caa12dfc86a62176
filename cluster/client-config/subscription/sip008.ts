/**
 * SIP008, the Shadowsocks online configuration format
 * (https://shadowsocks.org/doc/sip008.html): every Shadowsocks entry. SIP008
 * carries Shadowsocks only, so WireGuard entries are left out.
 */
import { createHash } from "node:crypto";
import {
  type RenderedSubscription,
  type SubscriptionEntry,
  shadowsocksEntries,
} from "./entries.ts";

/** A stable UUID per entry (SIP008 wants one), derived from where it points, not random. */
function entryUuid(host: string, port: number, name: string): string {
  const hex = createHash("sha256").update(`${host}:${port}:${name}`).digest("hex");
  // Shaped as a version 4 UUID with the RFC 4122 variant, as clients parse it.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function renderSip008(
  entries: readonly SubscriptionEntry[],
  usage: { uploadBytes: number; downloadBytes: number },
): RenderedSubscription {
  const body = {
    version: 1,
    servers: shadowsocksEntries(entries).map((entry) => ({
      id: entryUuid(entry.host, entry.port, entry.name),
      remarks: entry.name,
      server: entry.host,
      server_port: entry.port,
      password: entry.password,
      method: entry.method,
    })),
    bytes_used: usage.uploadBytes + usage.downloadBytes,
  };
  return { body: JSON.stringify(body), contentType: "application/json; charset=utf-8" };
}
