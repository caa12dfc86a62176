/** Plain subscription entries of every kind, with real-looking keys, for the renderers' tests. */
import type {
  ShadowsocksEntry,
  SubscriptionEntry,
  WireGuardEntry,
} from "../../../../cluster/client-config/subscription/entries.ts";
import { generateKeyPair, generatePresharedKey } from "../../../../shared/crypto/wireguard-keys.ts";

export function wireGuardEntry(fields: Partial<WireGuardEntry> = {}): WireGuardEntry {
  return {
    kind: "wireguard",
    name: "de-wg-1",
    host: "vpn1.example.net",
    port: 51820,
    clientPrivateKey: generateKeyPair().privateKey,
    clientAddress: "10.64.0.2",
    serverPublicKey: generateKeyPair().publicKey,
    presharedKey: generatePresharedKey(),
    dns: ["1.1.1.1", "8.8.8.8"],
    mtu: 1280,
    amnezia: null,
    ...fields,
  };
}

export function shadowsocksEntry(fields: Partial<ShadowsocksEntry> = {}): ShadowsocksEntry {
  return {
    kind: "shadowsocks",
    name: "nl-ss-2",
    host: "203.0.113.7",
    port: 20001,
    method: "chacha20-ietf-poly1305",
    password: generatePresharedKey(),
    ...fields,
  };
}

export const AMNEZIA = {
  jc: 4,
  jmin: 40,
  jmax: 70,
  s1: 50,
  s2: 60,
  h1: 11,
  h2: 22,
  h3: 33,
  h4: 44,
};

/** A user with three configs: a WireGuard one, a Shadowsocks one, and one on an AmneziaWG server. */
export function threeEntries(): SubscriptionEntry[] {
  return [
    wireGuardEntry(),
    shadowsocksEntry(),
    wireGuardEntry({ name: "us-wg-3", host: "2001:db8::5", amnezia: AMNEZIA, mtu: null }),
  ];
}
