/**
 * Shadowsocks keys: the master key from the password (OpenSSL's
 * EVP_BytesToKey with MD5 and one iteration, no salt, as every Shadowsocks
 * implementation derives it), and each stream's subkey from the master key
 * and the stream's salt (HKDF-SHA1, info "ss-subkey").
 */
import { createHash, hkdfSync } from "node:crypto";

/** EVP_BytesToKey(MD5, no salt, 1 round): D_i = MD5(D_(i-1) || password), concatenated. */
export function masterKeyOf(password: string, keyBytes: number): Buffer {
  const secret = Buffer.from(password, "utf8");
  const blocks: Buffer[] = [];
  let produced = 0;
  let previous = Buffer.alloc(0);
  while (produced < keyBytes) {
    previous = createHash("md5").update(previous).update(secret).digest();
    blocks.push(previous);
    produced += previous.length;
  }
  return Buffer.concat(blocks).subarray(0, keyBytes);
}

/** The key one direction of one stream is sealed with. */
export function subkeyOf(masterKey: Uint8Array, salt: Uint8Array): Buffer {
  return Buffer.from(hkdfSync("sha1", masterKey, salt, "ss-subkey", masterKey.length));
}
