/**
 * The server's half of the handshake, for tests that need a response or a
 * cookie reply without a real WireGuard server: it consumes an initiation
 * (checking mac1 and decrypting the initiator's static key and timestamp) and
 * answers it, as the whitepaper's section 5.4 describes the responder.
 * Real servers are tested against in the namespace tests.
 */
import { createCipheriv } from "node:crypto";
import { hchacha20 } from "../../../../shared/probe/hchacha20.ts";
import {
  aeadOpen,
  aeadSeal,
  dh,
  hash,
  kdf,
  mac,
  publicKeyOf,
} from "../../../../shared/probe/wireguard-crypto.ts";
import {
  INITIAL_CHAINING_KEY,
  INITIAL_HASH,
} from "../../../../shared/probe/wireguard-handshake.ts";

const utf8 = (text: string) => new TextEncoder().encode(text);

/** What the server learns from a valid initiation. */
export interface ConsumedInitiation {
  initiatorPublicKey: Uint8Array;
  senderIndex: number;
  timestamp: Uint8Array;
  response: Uint8Array;
}

/**
 * Checks `initiation` as the server holding `responderPrivateKey` would and
 * builds its handshake response with `ephemeralPrivateKey` and
 * `responderIndex`; null when the initiation does not authenticate.
 */
export function respondToInitiation(
  responderPrivateKey: Uint8Array,
  initiation: Uint8Array,
  ephemeralPrivateKey: Uint8Array,
  responderIndex: number,
): ConsumedInitiation | null {
  const message = Buffer.from(initiation);
  if (message.length !== 148 || message.readUInt32LE(0) !== 1) return null;
  const responderPublicKey = publicKeyOf(responderPrivateKey);
  const expectedMac1 = mac(hash(utf8("mac1----"), responderPublicKey), message.subarray(0, 116));
  if (!Buffer.from(expectedMac1).equals(message.subarray(116, 132))) return null;

  const initiatorEphemeral = message.subarray(8, 40);
  let chainingKey = INITIAL_CHAINING_KEY;
  let handshakeHash = hash(hash(INITIAL_HASH, responderPublicKey), initiatorEphemeral);
  [chainingKey] = kdf(chainingKey, initiatorEphemeral, 1) as [Uint8Array];
  const ephemeralStatic = dh(responderPrivateKey, initiatorEphemeral);
  if (!ephemeralStatic) return null;
  let key: Uint8Array;
  [chainingKey, key] = kdf(chainingKey, ephemeralStatic, 2) as [Uint8Array, Uint8Array];
  const initiatorPublicKey = aeadOpen(key, 0n, message.subarray(40, 88), handshakeHash);
  if (!initiatorPublicKey) return null;
  handshakeHash = hash(handshakeHash, message.subarray(40, 88));
  const staticStatic = dh(responderPrivateKey, initiatorPublicKey);
  if (!staticStatic) return null;
  [chainingKey, key] = kdf(chainingKey, staticStatic, 2) as [Uint8Array, Uint8Array];
  const timestamp = aeadOpen(key, 0n, message.subarray(88, 116), handshakeHash);
  if (!timestamp) return null;
  handshakeHash = hash(handshakeHash, message.subarray(88, 116));

  const responderEphemeral = publicKeyOf(ephemeralPrivateKey);
  handshakeHash = hash(handshakeHash, responderEphemeral);
  [chainingKey] = kdf(chainingKey, responderEphemeral, 1) as [Uint8Array];
  [chainingKey] = kdf(chainingKey, dh(ephemeralPrivateKey, initiatorEphemeral)!, 1) as [Uint8Array];
  [chainingKey] = kdf(chainingKey, dh(ephemeralPrivateKey, initiatorPublicKey)!, 1) as [Uint8Array];
  const [, presharedHash, responseKey] = kdf(chainingKey, new Uint8Array(32), 3) as [
    Uint8Array,
    Uint8Array,
    Uint8Array,
  ];
  handshakeHash = hash(handshakeHash, presharedHash);
  const encryptedNothing = aeadSeal(responseKey, 0n, new Uint8Array(0), handshakeHash);

  const header = Buffer.alloc(12);
  header.writeUInt32LE(2, 0);
  header.writeUInt32LE(responderIndex, 4);
  message.copy(header, 8, 4, 8);
  const covered = Buffer.concat([header, responderEphemeral, encryptedNothing]);
  const responseMac1 = mac(hash(utf8("mac1----"), initiatorPublicKey), covered);
  return {
    initiatorPublicKey,
    senderIndex: message.readUInt32LE(4),
    timestamp,
    response: Buffer.concat([covered, responseMac1, Buffer.alloc(16)]),
  };
}

/**
 * The cookie reply a server under load sends instead of a response: `cookie`
 * sealed with XChaCha20-Poly1305 under HASH("cookie--" || server public key),
 * bound to the initiation's mac1. The cipher is assembled here from
 * HChaCha20 and Node's ChaCha20-Poly1305.
 */
export function cookieReply(
  responderPublicKey: Uint8Array,
  initiation: Uint8Array,
  nonce: Uint8Array,
  cookie: Uint8Array,
): Uint8Array {
  const message = Buffer.from(initiation);
  const key = hash(utf8("cookie--"), responderPublicKey);
  const subkey = hchacha20(key, nonce.subarray(0, 16));
  const cipher = createCipheriv(
    "chacha20-poly1305",
    subkey,
    Buffer.concat([Buffer.alloc(4), nonce.subarray(16, 24)]),
    { authTagLength: 16 },
  );
  cipher.setAAD(message.subarray(116, 132), { plaintextLength: cookie.length });
  const sealed = Buffer.concat([cipher.update(cookie), cipher.final(), cipher.getAuthTag()]);
  const header = Buffer.alloc(8);
  header.writeUInt32LE(3, 0);
  message.copy(header, 4, 4, 8);
  return Buffer.concat([header, nonce, sealed]);
}
