/**
 * The part of sodium-native (libsodium's binding) the frame ciphers use; the
 * package ships no types of its own.
 */
declare module "sodium-native" {
  /** Writes ciphertext and its 16-byte tag into `ciphertext` (message length + 16); returns bytes written. */
  export function crypto_aead_chacha20poly1305_ietf_encrypt(
    ciphertext: Uint8Array,
    message: Uint8Array,
    additionalData: Uint8Array | null,
    secretNonce: null,
    publicNonce: Uint8Array,
    key: Uint8Array,
  ): number;
  /** Writes the plaintext into `message`; throws when the tag does not verify. */
  export function crypto_aead_chacha20poly1305_ietf_decrypt(
    message: Uint8Array,
    secretNonce: null,
    ciphertext: Uint8Array,
    additionalData: Uint8Array | null,
    publicNonce: Uint8Array,
    key: Uint8Array,
  ): number;
  /** Overwrites `buffer` with zeros in a way the compiler cannot skip. */
  export function sodium_memzero(buffer: Uint8Array): void;
}
