/**
 * HChaCha20 (draft-irtf-cfrg-xchacha, section 2.2): derives a ChaCha20 key
 * from a key and the first 16 bytes of a 24-byte XChaCha20 nonce. Node's
 * crypto has ChaCha20-Poly1305 but not the extended-nonce variant, which
 * WireGuard's cookie replies use.
 */

const sigma = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574] as const;

function rotateLeft(word: number, bits: number): number {
  return (word << bits) | (word >>> (32 - bits));
}

/** ChaCha's quarter round; the Uint32Array wraps every sum to 32 bits. */
function quarterRound(state: Uint32Array, a: number, b: number, c: number, d: number): void {
  state[a] = state[a]! + state[b]!;
  state[d] = rotateLeft(state[d]! ^ state[a]!, 16);
  state[c] = state[c]! + state[d]!;
  state[b] = rotateLeft(state[b]! ^ state[c]!, 12);
  state[a] = state[a]! + state[b]!;
  state[d] = rotateLeft(state[d]! ^ state[a]!, 8);
  state[c] = state[c]! + state[d]!;
  state[b] = rotateLeft(state[b]! ^ state[c]!, 7);
}

/** The 32-byte subkey for a 32-byte `key` and a 16-byte `nonce`. */
export function hchacha20(key: Uint8Array, nonce: Uint8Array): Uint8Array {
  if (key.length !== 32 || nonce.length !== 16) {
    throw new RangeError("HChaCha20 takes a 32-byte key and a 16-byte nonce");
  }
  const keyView = new DataView(key.buffer, key.byteOffset, key.byteLength);
  const nonceView = new DataView(nonce.buffer, nonce.byteOffset, nonce.byteLength);
  const state = new Uint32Array(16);
  state.set(sigma, 0);
  for (let word = 0; word < 8; word++) state[4 + word] = keyView.getUint32(word * 4, true);
  for (let word = 0; word < 4; word++) state[12 + word] = nonceView.getUint32(word * 4, true);
  for (let doubleRound = 0; doubleRound < 10; doubleRound++) {
    quarterRound(state, 0, 4, 8, 12);
    quarterRound(state, 1, 5, 9, 13);
    quarterRound(state, 2, 6, 10, 14);
    quarterRound(state, 3, 7, 11, 15);
    quarterRound(state, 0, 5, 10, 15);
    quarterRound(state, 1, 6, 11, 12);
    quarterRound(state, 2, 7, 8, 13);
    quarterRound(state, 3, 4, 9, 14);
  }
  const subkey = new Uint8Array(32);
  const subkeyView = new DataView(subkey.buffer);
  for (let word = 0; word < 4; word++) {
    subkeyView.setUint32(word * 4, state[word]!, true);
    subkeyView.setUint32(16 + word * 4, state[12 + word]!, true);
  }
  return subkey;
}
