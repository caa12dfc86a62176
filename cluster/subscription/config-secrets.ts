/**
 * The secrets of a config that only its server can open (see
 * fsm/records.ts, Config): the preshared key and the client private key
 * sealed to the server's WireGuard key, or a Shadowsocks config's password. A subscription needs both to serve a
 * WireGuard entry; only the config's own server opens them, and hands them
 * on (subscription-secret-owner.ts).
 */
import type { WireGuardKeyPair } from "../../shared/crypto/wireguard-keys.ts";
import {
  openWithWireGuardKey,
  sealToWireGuardKey,
} from "../../shared/crypto/wireguard-sealed-box.ts";
import type { Config } from "../fsm/records.ts";

/** A config's secrets, opened: a WireGuard config's keys, or a Shadowsocks config's password. */
export type ConfigSecrets =
  | { kind: "wireguard"; clientPrivateKey: string; presharedKey: string }
  | { kind: "shadowsocks"; password: string };

type SealedParts = Pick<
  Config,
  "clientPublicKey" | "serverPresharedKeySealed" | "subscriptionPrivateKeySealed" | "shadowsocks"
>;

/**
 * The record a client private key sealed to its server is bound to: not the
 * preshared key's (the bare public key), so neither opens as the other.
 */
function subscriptionPrivateKeyContext(clientPublicKey: string): string {
  return `subscription-private-key:${clientPublicKey}`;
}

/** Seals a config's client private key to its server (the leader, while it still has the delivery copy). */
export function sealSubscriptionPrivateKey(
  serverPublicKey: string,
  clientPublicKey: string,
  clientPrivateKey: string,
): string {
  return sealToWireGuardKey(
    serverPublicKey,
    subscriptionPrivateKeyContext(clientPublicKey),
    clientPrivateKey,
  );
}

/** Whether the config's server holds what a subscription needs of it. */
export function hasSubscriptionSecrets(config: SealedParts): boolean {
  if (config.shadowsocks) return config.shadowsocks.passwordSealed !== null;
  return config.serverPresharedKeySealed !== null && config.subscriptionPrivateKeySealed !== null;
}

/** Opens a config's secrets with its server's key pair; undefined when they are absent or not sealed to it. */
export function openConfigSecrets(
  serverKeys: WireGuardKeyPair,
  config: SealedParts,
): ConfigSecrets | undefined {
  if (config.shadowsocks) {
    if (config.shadowsocks.passwordSealed === null) return undefined;
    // The password is sealed like a preshared key (see fsm/records.ts, ShadowsocksAccess).
    const password = openWithWireGuardKey(
      serverKeys,
      config.clientPublicKey,
      config.shadowsocks.passwordSealed,
    );
    return password.ok ? { kind: "shadowsocks", password: password.value } : undefined;
  }
  if (config.serverPresharedKeySealed === null || config.subscriptionPrivateKeySealed === null)
    return undefined;
  const presharedKey = openWithWireGuardKey(
    serverKeys,
    config.clientPublicKey,
    config.serverPresharedKeySealed,
  );
  const clientPrivateKey = openWithWireGuardKey(
    serverKeys,
    subscriptionPrivateKeyContext(config.clientPublicKey),
    config.subscriptionPrivateKeySealed,
  );
  if (!presharedKey.ok || !clientPrivateKey.ok) return undefined;
  return {
    kind: "wireguard",
    clientPrivateKey: clientPrivateKey.value,
    presharedKey: presharedKey.value,
  };
}
