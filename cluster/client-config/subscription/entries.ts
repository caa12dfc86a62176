/**
 * What a subscription serves, as plain values: one entry per live config of
 * the user, its secrets already opened. Every format renderer in this folder
 * is a pure function of a list of these.
 */
import type { AmneziaParams } from "../../fsm/records.ts";

/** A WireGuard (or AmneziaWG) config as a subscription entry. Keys are base64, as `wg` prints them. */
export interface WireGuardEntry {
  kind: "wireguard";
  /** Unique within the subscription; clients show it. */
  name: string;
  host: string;
  port: number;
  clientPrivateKey: string;
  /** The client's tunnel address without a prefix. */
  clientAddress: string;
  serverPublicKey: string;
  presharedKey: string;
  dns: readonly string[];
  mtu: number | null;
  /** Present when the server runs AmneziaWG: only clients that speak it can use the entry. */
  amnezia: AmneziaParams | null;
}

/** A Shadowsocks config as a subscription entry. */
export interface ShadowsocksEntry {
  kind: "shadowsocks";
  name: string;
  host: string;
  port: number;
  /** An AEAD cipher as Shadowsocks names it, e.g. `chacha20-ietf-poly1305`. */
  method: string;
  password: string;
}

export type SubscriptionEntry = WireGuardEntry | ShadowsocksEntry;

/** The formats a subscription is served in (see format-selection in cluster/subscription). */
export const SUBSCRIPTION_FORMATS = ["outline", "sip008", "sing-box", "clash", "links"] as const;
export type SubscriptionFormat = (typeof SUBSCRIPTION_FORMATS)[number];

/** A rendered subscription: the body and its media type. */
export interface RenderedSubscription {
  body: string;
  contentType: string;
}

/** Plain WireGuard entries: those without AmneziaWG obfuscation, which most clients cannot speak. */
export function plainWireGuardEntries(entries: readonly SubscriptionEntry[]): WireGuardEntry[] {
  return entries.filter(
    (entry): entry is WireGuardEntry => entry.kind === "wireguard" && entry.amnezia === null,
  );
}

export function shadowsocksEntries(entries: readonly SubscriptionEntry[]): ShadowsocksEntry[] {
  return entries.filter((entry): entry is ShadowsocksEntry => entry.kind === "shadowsocks");
}

/** The client's tunnel address with its host prefix: /32 for IPv4, /128 for IPv6. */
export function hostPrefix(address: string): string {
  return address.includes(":") ? `${address}/128` : `${address}/32`;
}
