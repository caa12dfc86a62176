/**
 * The Shadowsocks ciphers a node may offer: the AEAD ones (SIP004) that
 * shadowsocks-libev and every current client (Outline, v2rayNG, Shadowrocket)
 * speak. The stream ciphers of old are left out: they are unauthenticated and
 * recognisable by active probing.
 */
export const SHADOWSOCKS_METHODS = [
  "chacha20-ietf-poly1305",
  "aes-256-gcm",
  "aes-192-gcm",
  "aes-128-gcm",
] as const;
export type ShadowsocksMethod = (typeof SHADOWSOCKS_METHODS)[number];

/** The cipher a node offers when SS_METHOD is unset: fast without AES instructions, as on cheap VPSes and phones. */
export const DEFAULT_SHADOWSOCKS_METHOD: ShadowsocksMethod = "chacha20-ietf-poly1305";

export function isShadowsocksMethod(text: string): text is ShadowsocksMethod {
  return (SHADOWSOCKS_METHODS as readonly string[]).includes(text);
}
