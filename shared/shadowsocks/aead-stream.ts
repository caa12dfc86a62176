/**
 * One direction of a Shadowsocks AEAD stream (SIP004): a random salt, then
 * chunks, each a sealed 2-byte big-endian payload length and the sealed
 * payload, every seal with its own tag. Both seals of every chunk take the
 * next nonce: a 12-byte little-endian counter from zero. The sealer writes
 * a stream; the opener reads one incrementally, however its bytes are cut,
 * and refuses anything that does not authenticate.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { err, ok, type Result } from "../result.ts";
import type { ShadowsocksMethod } from "../shadowsocks-method.ts";
import { AEAD_METHODS, MAX_CHUNK_PAYLOAD, NONCE_BYTES, TAG_BYTES } from "./aead-methods.ts";
import { subkeyOf } from "./shadowsocks-keys.ts";

const LENGTH_BYTES = 2;

type CipherName = (typeof AEAD_METHODS)[ShadowsocksMethod]["cipher"];

// Two branches alike, so each call meets the overload its cipher's options need.
function cipherOf(name: CipherName, key: Buffer, nonce: Buffer) {
  return name === "chacha20-poly1305"
    ? createCipheriv(name, key, nonce, { authTagLength: TAG_BYTES })
    : createCipheriv(name, key, nonce, { authTagLength: TAG_BYTES });
}

function decipherOf(name: CipherName, key: Buffer, nonce: Buffer) {
  return name === "chacha20-poly1305"
    ? createDecipheriv(name, key, nonce, { authTagLength: TAG_BYTES })
    : createDecipheriv(name, key, nonce, { authTagLength: TAG_BYTES });
}

/** Why a stream's bytes were refused; the opener then stays refused. */
export type StreamErrorCode =
  /** A tag did not verify: another password, another method, or bytes changed on the way. */
  | "SHADOWSOCKS_BAD_TAG"
  /** A length that authenticates but is above 0x3FFF. */
  | "SHADOWSOCKS_BAD_LENGTH";

/** The little-endian nonce counter both directions use. */
class NonceCounter {
  private readonly nonce = Buffer.alloc(NONCE_BYTES);

  /** The current nonce, and the counter moves on. */
  next(): Buffer {
    const current = Buffer.from(this.nonce);
    for (let index = 0; index < NONCE_BYTES; index++) {
      this.nonce[index] = (this.nonce[index]! + 1) & 0xff;
      if (this.nonce[index] !== 0) break;
    }
    return current;
  }
}

/** Seals chunks of one stream; the first call's output starts with the salt. */
export class AeadStreamSealer {
  private readonly nonces = new NonceCounter();
  private readonly subkey: Buffer;
  private salt: Buffer | null;

  constructor(
    private readonly method: ShadowsocksMethod,
    masterKey: Uint8Array,
    salt: Buffer = randomBytes(AEAD_METHODS[method].saltBytes),
  ) {
    this.salt = salt;
    this.subkey = subkeyOf(masterKey, salt);
  }

  /** `payload` as sealed chunks of at most 0x3FFF bytes each (the salt first, once). */
  seal(payload: Uint8Array): Buffer {
    const parts: Buffer[] = [];
    if (this.salt) parts.push(this.salt);
    this.salt = null;
    for (let offset = 0; offset < payload.length; offset += MAX_CHUNK_PAYLOAD) {
      const chunk = payload.subarray(offset, offset + MAX_CHUNK_PAYLOAD);
      const length = Buffer.alloc(LENGTH_BYTES);
      length.writeUInt16BE(chunk.length);
      parts.push(this.sealOne(length), this.sealOne(chunk));
    }
    return Buffer.concat(parts);
  }

  private sealOne(plain: Uint8Array): Buffer {
    const cipher = cipherOf(AEAD_METHODS[this.method].cipher, this.subkey, this.nonces.next());
    return Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  }
}

/** Opens one stream's chunks as their bytes arrive. */
export class AeadStreamOpener {
  private readonly nonces = new NonceCounter();
  private subkey: Buffer | null = null;
  private pending: Buffer = Buffer.alloc(0);
  /** The payload length of the chunk whose length was opened; null while a length is awaited. */
  private payloadLength: number | null = null;
  private refused: StreamErrorCode | null = null;

  constructor(
    private readonly method: ShadowsocksMethod,
    private readonly masterKey: Uint8Array,
  ) {}

  /**
   * Takes the next bytes of the stream and gives back the payloads of every
   * chunk they complete, in order (none while a chunk is still partial). At
   * most one chunk's bytes are held, so a peer cannot make it buffer more.
   * After a refusal every later call is refused the same way.
   */
  push(bytes: Uint8Array): Result<Buffer[], StreamErrorCode> {
    if (this.refused) return this.refusal(this.refused);
    this.pending =
      this.pending.length === 0 ? Buffer.from(bytes) : Buffer.concat([this.pending, bytes]);
    const payloads: Buffer[] = [];
    for (;;) {
      if (this.subkey === null) {
        const saltBytes = AEAD_METHODS[this.method].saltBytes;
        if (this.pending.length < saltBytes) break;
        this.subkey = subkeyOf(this.masterKey, this.pending.subarray(0, saltBytes));
        this.pending = this.pending.subarray(saltBytes);
        continue;
      }
      const wanted = (this.payloadLength ?? LENGTH_BYTES) + TAG_BYTES;
      if (this.pending.length < wanted) break;
      const opened = this.openOne(this.pending.subarray(0, wanted));
      this.pending = this.pending.subarray(wanted);
      if (opened === null) return this.refusal("SHADOWSOCKS_BAD_TAG");
      if (this.payloadLength === null) {
        const length = opened.readUInt16BE(0);
        if (length > MAX_CHUNK_PAYLOAD) return this.refusal("SHADOWSOCKS_BAD_LENGTH");
        this.payloadLength = length;
      } else {
        payloads.push(opened);
        this.payloadLength = null;
      }
    }
    return ok(payloads);
  }

  private openOne(sealed: Buffer): Buffer | null {
    const decipher = decipherOf(AEAD_METHODS[this.method].cipher, this.subkey!, this.nonces.next());
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    try {
      return Buffer.concat([
        decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)),
        decipher.final(),
      ]);
    } catch {
      return null;
    }
  }

  private refusal(code: StreamErrorCode): Result<Buffer[], StreamErrorCode> {
    this.refused = code;
    this.pending = Buffer.alloc(0);
    return err(
      code,
      code === "SHADOWSOCKS_BAD_TAG"
        ? "a chunk of the server's reply does not authenticate (another password or method, or bytes changed on the way)"
        : "a chunk of the server's reply claims more than 0x3FFF bytes",
    );
  }
}
