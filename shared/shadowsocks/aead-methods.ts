/**
 * The Shadowsocks AEAD ciphers (SIP004, shadowsocks-method.ts), with their key
 * and salt sizes and the name `node:crypto` knows each by. Every one has a
 * 12-byte nonce and a 16-byte tag.
 */

import type { ShadowsocksMethod } from "../shadowsocks-method.ts";

export interface AeadMethod {
  /** The cipher's name in `node:crypto`. */
  cipher: "chacha20-poly1305" | "aes-256-gcm" | "aes-192-gcm" | "aes-128-gcm";
  keyBytes: number;
  /** The salt a stream starts with is as long as the key. */
  saltBytes: number;
}

export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;
/** SIP004 caps a chunk's payload at 0x3FFF bytes; the two high bits of the length are reserved. */
export const MAX_CHUNK_PAYLOAD = 0x3fff;

export const AEAD_METHODS: Readonly<Record<ShadowsocksMethod, AeadMethod>> = {
  "chacha20-ietf-poly1305": { cipher: "chacha20-poly1305", keyBytes: 32, saltBytes: 32 },
  "aes-256-gcm": { cipher: "aes-256-gcm", keyBytes: 32, saltBytes: 32 },
  "aes-192-gcm": { cipher: "aes-192-gcm", keyBytes: 24, saltBytes: 24 },
  "aes-128-gcm": { cipher: "aes-128-gcm", keyBytes: 16, saltBytes: 16 },
};
