/**
 * Encryption of every frame after the handshake: ChaCha20-Poly1305 under
 * per-direction keys derived from the handshake's ephemeral X25519 exchange.
 * The nonce is a per-direction frame counter that both ends keep, so it never
 * travels and never repeats: a frame that was replayed, dropped, reordered or
 * moved from another connection fails to open, and the connection is closed.
 * Keys come from ephemeral secrets, so a node's identity key seized later
 * decrypts no recorded traffic.
 */
import {
  createCipheriv,
  createDecipheriv,
  createPublicKey,
  createSecretKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  type KeyObject,
} from "node:crypto";

const CIPHER = "chacha20-poly1305";
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

function counterNonce(counter: number): Buffer {
  const nonce = Buffer.alloc(NONCE_BYTES);
  nonce.writeUIntBE(counter, NONCE_BYTES - 6, 6);
  return nonce;
}

/** Seals frames in order; the n-th frame uses nonce n. */
export class FrameSealer {
  private counter = 0;
  /** Imported once: a raw key is imported again by every createCipheriv (about a fifth of its cost). */
  private readonly key: KeyObject;

  constructor(key: Buffer) {
    this.key = createSecretKey(key);
  }

  seal(plaintext: Buffer): Buffer {
    const cipher = createCipheriv(CIPHER, this.key, counterNonce(this.counter++), {
      authTagLength: TAG_BYTES,
    });
    const head = cipher.update(plaintext);
    cipher.final();
    return Buffer.concat([head, cipher.getAuthTag()]);
  }
}

/** Opens frames in the order they were sealed; null for anything else. */
export class FrameOpener {
  private counter = 0;
  private readonly key: KeyObject;

  constructor(key: Buffer) {
    this.key = createSecretKey(key);
  }

  open(sealed: Buffer): Buffer | null {
    if (sealed.length < TAG_BYTES) return null;
    const decipher = createDecipheriv(CIPHER, this.key, counterNonce(this.counter), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    const plaintext = decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES));
    try {
      decipher.final();
    } catch {
      return null;
    }
    // Only a frame that opened moves the counter: a forged one cannot desynchronise us.
    this.counter++;
    return plaintext;
  }
}
