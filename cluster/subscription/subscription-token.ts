/**
 * Subscription tokens: 32 random bytes in unpadded base64url, drawn by the
 * proposer. The replicated state finds a user by the token's SHA-256, never
 * by the token itself.
 */
import { createHash, randomBytes } from "node:crypto";

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function newSubscriptionToken(): string {
  return randomBytes(32).toString("base64url");
}

/** Whether `text` has a token's shape; anything else is answered as an unknown path. */
export function isSubscriptionToken(text: string): boolean {
  return TOKEN_PATTERN.test(text);
}

/** SHA-256 of the token, lower-case hex: what the state keeps. */
export function subscriptionTokenDigest(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}
