/**
 * SHA-256 certificate fingerprints, the pin that lets the leader trust a
 * vantage probe's self-signed certificate. One canonical form everywhere:
 * 32 upper-case hex bytes joined by colons (`AB:CD:...`), as the probe agent
 * logs it, as `openssl x509 -noout -fingerprint -sha256` and Node's
 * `fingerprint256` print it, and as the replicated state stores it.
 */
import { createHash } from "node:crypto";
import { err, ok, type Result } from "./result.ts";

/** The canonical form: `AB:CD:...:EF`, 32 bytes. */
export const CERT_SHA256_PATTERN = /^(?:[0-9A-F]{2}:){31}[0-9A-F]{2}$/;

const BYTES = 32;

/** What an admin may type: colon-separated pairs (any case) or 64 plain hex digits. */
const COLON_FORM = /^(?:[0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$/;
const PLAIN_FORM = /^[0-9A-Fa-f]{64}$/;

export const CERT_SHA256_RULE =
  "a SHA-256 certificate fingerprint is 32 bytes in hex: AB:CD:... (as the probe agent logs it) or 64 hex digits";

/** Upper-case pairs joined by colons. */
function canonical(hex: string): string {
  return hex.toUpperCase().match(/../g)!.join(":");
}

/**
 * Reads a fingerprint an admin gave, in the `AB:CD:...` form (any case) or as
 * 64 plain hex digits, and returns it in the canonical form. A leading
 * `sha256:` or `sha256=` (any case), as tools print it, is allowed too.
 */
export function parseCertSha256(text: string): Result<string, "INVALID_FINGERPRINT"> {
  const value = text.trim().replace(/^sha-?256(?: fingerprint)?[:=]/i, "");
  if (COLON_FORM.test(value)) return ok(canonical(value.replaceAll(":", "")));
  if (PLAIN_FORM.test(value)) return ok(canonical(value));
  return err("INVALID_FINGERPRINT", CERT_SHA256_RULE);
}

/** The canonical fingerprint of a certificate given as DER bytes. */
export function certSha256OfDer(der: Uint8Array): string {
  return canonical(createHash("sha256").update(der).digest("hex"));
}

/** Short enough for a chat line, long enough to tell certificates apart: `AB:CD:EF:01:23:45…89:AB`. */
export function shortCertSha256(fingerprint: string): string {
  const bytes = fingerprint.split(":");
  if (bytes.length !== BYTES) return fingerprint;
  return `${bytes.slice(0, 6).join(":")}…${bytes.slice(-2).join(":")}`;
}
