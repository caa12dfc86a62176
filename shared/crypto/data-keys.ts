/**
 * The cluster's data keys (DATA_KEYS): the secrets that seal values at rest
 * in the replicated state (see secret-box.ts). Every node holds the same
 * list. The first key seals; every key listed opens. A key's id travels in
 * every value it seals, so a node can tell which key a value needs and the
 * leader can find values still sealed under a key being retired.
 */
import { randomBytes } from "node:crypto";
import { err, ok, type Result } from "../result.ts";

/** One data key: a short id and a secret of at least 32 characters. */
export interface DataKey {
  id: string;
  secret: string;
}

const keyIdPattern = /^[a-z0-9][a-z0-9-]{0,15}$/;
const minimumSecretLength = 32;

/**
 * Parses `id:secret[,id:secret...]`, e.g. `k2:<64 hex>,k1:<64 hex>` while k1
 * is being replaced by k2. Ids are 1-16 of a-z 0-9 - and unique; secrets are
 * at least 32 characters, without commas; no two keys share a secret.
 */
export function parseDataKeys(text: string): Result<DataKey[]> {
  const keys: DataKey[] = [];
  for (const part of text.split(",")) {
    const entry = part.trim();
    const colon = entry.indexOf(":");
    const id = colon < 0 ? "" : entry.slice(0, colon);
    const secret = colon < 0 ? "" : entry.slice(colon + 1);
    if (!keyIdPattern.test(id))
      return err(
        "INVALID_DATA_KEYS",
        "each key is <id>:<secret>, the id 1-16 of a-z 0-9 - (e.g. k1:$(openssl rand -hex 32)), comma-separated, the sealing key first",
      );
    if (secret.length < minimumSecretLength)
      return err(
        "INVALID_DATA_KEYS",
        `data key ${id}: the secret must be at least ${minimumSecretLength} characters; generate one with: openssl rand -hex 32`,
      );
    if (keys.some((key) => key.id === id))
      return err("INVALID_DATA_KEYS", `data key ${id} is listed twice; each key needs its own id`);
    if (keys.some((key) => key.secret === secret))
      return err(
        "INVALID_DATA_KEYS",
        `data key ${id} has the same secret as another key; a new key needs a new secret`,
      );
    keys.push({ id, secret });
  }
  return ok(keys);
}

/** The DATA_KEYS text for `keys`, as parseDataKeys reads it. */
export function formatDataKeys(keys: readonly DataKey[]): string {
  return keys.map((key) => `${key.id}:${key.secret}`).join(",");
}

/** A fresh data key with 32 random bytes as its secret, as `openssl rand -hex 32` makes. */
export function newDataKey(id: string): DataKey {
  return { id, secret: randomBytes(32).toString("hex") };
}
