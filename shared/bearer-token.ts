import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

/**
 * A check for `Authorization: Bearer <token>`, compared in constant time
 * (digests of equal length, so the token's length does not leak either).
 */
export function bearerTokenCheck(token: string): (request: IncomingMessage) => boolean {
  return bearerDigestCheck(digest(token).toString("hex"));
}

/**
 * The same check against the token's SHA-256 (hex) alone: whoever holds the
 * checker's configuration cannot present the token.
 */
export function bearerDigestCheck(sha256Hex: string): (request: IncomingMessage) => boolean {
  const expected = Buffer.from(sha256Hex, "hex");
  return (request) => {
    const header = request.headers.authorization;
    if (typeof header !== "string" || !header.startsWith("Bearer ")) return false;
    return timingSafeEqual(digest(header.slice("Bearer ".length)), expected);
  };
}
