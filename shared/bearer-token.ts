import { hash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

function digest(text: string): Buffer {
  // The one-shot form: every admin request pays for it.
  return hash("sha256", text, "buffer");
}

/**
 * A check for `Authorization: Bearer <token>`, compared in constant time
 * (digests of equal length, so the token's length does not leak either).
 */
export function bearerTokenCheck(token: string): (request: IncomingMessage) => boolean {
  return bearerDigestCheck(digest(token).toString("hex"));
}

/**
 * The same check against tokens' SHA-256 (hex) alone: whoever holds the
 * checker's configuration cannot present a token. Any of `sha256Hexes` is
 * accepted (two while a token is being rotated); every one is compared, so
 * the time taken does not tell which matched.
 *
 * A keep-alive connection that presents the same header again gets the same
 * answer without a new digest (a busy admin client sends thousands a second).
 * That compares the header only with the one the same connection sent
 * before, so its timing can tell a client nothing but its own earlier header.
 */
export function bearerDigestCheck(
  sha256Hexes: string | readonly string[],
): (request: IncomingMessage) => boolean {
  const expected = (typeof sha256Hexes === "string" ? [sha256Hexes] : sha256Hexes).map((hex) =>
    Buffer.from(hex, "hex"),
  );
  const lastVerdicts = new WeakMap<object, { header: string; matched: boolean }>();
  return (request) => {
    const header = request.headers.authorization;
    if (typeof header !== "string" || !header.startsWith("Bearer ")) return false;
    const connection: object | undefined = request.socket;
    const last = connection ? lastVerdicts.get(connection) : undefined;
    if (last?.header === header) return last.matched;
    const presented = digest(header.slice("Bearer ".length));
    let matched = false;
    for (const candidate of expected) if (timingSafeEqual(presented, candidate)) matched = true;
    if (connection) lastVerdicts.set(connection, { header, matched });
    return matched;
  };
}
