/**
 * Encryption of every frame after the handshake: ChaCha20-Poly1305 under
 * per-direction keys derived from the handshake's ephemeral X25519 exchange.
 * The nonce is a per-direction frame counter that both ends keep, so it never
 * travels and never repeats: a frame that was replayed, dropped, reordered or
 * moved from another connection fails to open, and the connection is closed.
 * Keys come from ephemeral secrets, so a node's identity key seized later
 * decrypts no recorded traffic, and a connection erases them when it closes.
 *
 * Frames are sealed with libsodium's IETF ChaCha20-Poly1305 (sodium-native),
 * the same construction as Node's "chacha20-poly1305", so the bytes on the
 * wire are those of earlier releases: one call per frame, where Node's API
 * builds and frees a cipher object per frame (at one writer, 6-8 % of a
 * member's CPU samples went to that).
 */
import {
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  type KeyObject,
} from "node:crypto";
import sodium from "sodium-native";

const KEY_BYTES = 32;
const NONCE_BYTES = 12;
export const TAG_BYTES = 16;

/** The ephemeral half of a key exchange; `publicKey` is 32 raw bytes in unpadded base64url. */
export interface EphemeralKeyPair {
  publicKey: string;
  privateKey: KeyObject;
}

export function generateEphemeralKeyPair(): EphemeralKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync("x25519");
  return { publicKey: String(publicKey.export({ format: "jwk" }).x), privateKey };
}

export interface SessionKeys {
  /** Seals what this end sends. */
  send: Buffer;
  /** Opens what this end receives. */
  receive: Buffer;
}

/**
 * Both directions' keys from our ephemeral private key, the peer's ephemeral
 * public key and the handshake transcript hash; null when the peer's key is
 * malformed or a low-order point (an all-zero shared secret).
 */
export function deriveSessionKeys(
  ours: EphemeralKeyPair,
  theirPublicKey: string,
  transcriptHash: Buffer,
  role: "dialer" | "acceptor",
): SessionKeys | null {
  let shared: Buffer;
  try {
    const theirs = createPublicKey({
      key: { kty: "OKP", crv: "X25519", x: theirPublicKey },
      format: "jwk",
    });
    shared = diffieHellman({ privateKey: ours.privateKey, publicKey: theirs });
  } catch {
    return null;
  }
  if (shared.every((byte) => byte === 0)) return null;
  const material = Buffer.from(
    hkdfSync("sha256", shared, transcriptHash, "nexaloak-raft/2 session keys", 2 * KEY_BYTES),
  );
  const dialerToAcceptor = material.subarray(0, KEY_BYTES);
  const acceptorToDialer = material.subarray(KEY_BYTES);
  return role === "dialer"
    ? { send: dialerToAcceptor, receive: acceptorToDialer }
    : { send: acceptorToDialer, receive: dialerToAcceptor };
}

/**
 * A direction's frame counter as the 96-bit nonce: big-endian in the last six
 * bytes. Written into one buffer per direction, as no two frames of a
 * direction are sealed or opened at once.
 */
function writeCounterNonce(nonce: Buffer, counter: number): Buffer {
  nonce.writeUIntBE(counter, NONCE_BYTES - 6, 6);
  return nonce;
}

/** Seals frames in order; the n-th frame uses nonce n. */
export class FrameSealer {
  private counter = 0;
  private readonly nonce = Buffer.alloc(NONCE_BYTES);

  constructor(private readonly key: Buffer) {}

  seal(plaintext: Buffer): Buffer {
    const sealed = Buffer.allocUnsafe(plaintext.length + TAG_BYTES);
    sodium.crypto_aead_chacha20poly1305_ietf_encrypt(
      sealed,
      plaintext,
      null,
      null,
      writeCounterNonce(this.nonce, this.counter++),
      this.key,
    );
    return sealed;
  }

  /** Overwrites the key: a memory dump taken after the session ended does not hold it. */
  erase(): void {
    sodium.sodium_memzero(this.key);
  }
}

/** Opens frames in the order they were sealed; null for anything else. */
export class FrameOpener {
  private counter = 0;
  private readonly nonce = Buffer.alloc(NONCE_BYTES);

  constructor(private readonly key: Buffer) {}

  open(sealed: Buffer): Buffer | null {
    if (sealed.length < TAG_BYTES) return null;
    const plaintext = Buffer.allocUnsafe(sealed.length - TAG_BYTES);
    try {
      sodium.crypto_aead_chacha20poly1305_ietf_decrypt(
        plaintext,
        null,
        sealed,
        null,
        writeCounterNonce(this.nonce, this.counter),
        this.key,
      );
    } catch {
      return null;
    }
    // Only a frame that opened moves the counter: a forged one cannot desynchronise us.
    this.counter++;
    return plaintext;
  }

  /** Overwrites the key; nothing opens afterwards. */
  erase(): void {
    sodium.sodium_memzero(this.key);
  }
}
