/**
 * The small domains the random commands draw their ids, keys and times from:
 * three servers, five users, a dozen configs, so that commands collide,
 * repeat and refer to each other's records instead of missing them.
 */
import { createHash, createPrivateKey, createPublicKey, sign } from "node:crypto";
import fc, { type WeightedArbitrary } from "fast-check";
import type { ControlPlaneCommandInput } from "../../../cluster/fsm/commands.ts";

/** One kind of random command and how often it is drawn relative to the others. */
export type WeightedCommand = WeightedArbitrary<ControlPlaneCommandInput>;

/** The instant the generated commands' times start from. */
export const T0 = Date.UTC(2025, 0, 1);
export const DAY_MS = 86_400_000;

/** A valid WireGuard key (32 bytes, base64) unique to `seed` and `kind`. */
export function wgKey(seed: number, kind = 0): string {
  const bytes = Buffer.alloc(32);
  bytes.writeUInt32BE(seed >>> 0, 0);
  bytes.writeUInt32BE(kind, 4);
  bytes.writeUInt32BE(Math.floor(seed / 2 ** 32), 8);
  return bytes.toString("base64");
}

/** The VPN servers (cluster members n1 to n3). */
export const serverId = fc.constantFrom("n1", "n2", "n3");
/** Node ids: the servers, and two that only ever join with a token or have a key pinned. */
export const nodeId = fc.constantFrom("n1", "n2", "n3", "n4", "n5");
export const userId = fc.constantFrom("10", "11", "12", "13", "14");
/** Ids a user picks for a new config. */
export const configId = fc.constantFrom(...Array.from({ length: 12 }, (_, i) => `c${i}`));
/** Ids the proposer of a ban or a protocol block gives the configs it moves. */
export const replacementConfigId = fc.constantFrom(
  ...Array.from({ length: 12 }, (_, i) => `r${i}`),
);
/** Any config's id: mostly one a user picked, or one a move gave. */
export const anyConfigId = fc.oneof(
  { arbitrary: configId, weight: 3 },
  { arbitrary: replacementConfigId, weight: 1 },
);
export const at = fc.integer({ min: 0, max: 40 }).map((days) => T0 + days * DAY_MS);
export const key = fc.integer({ min: 1, max: 40 }).map((seed) => wgKey(seed, 5));
/** A Telegram update's id: mostly fresh, now and then one redelivered after a failover. */
export const telegramUpdateId = fc.integer({ min: 1, max: 300 });
/** The update a bot user's command came with; none for the admin API's. */
export const updateId = fc.option(telegramUpdateId, { nil: undefined });
/** What sealed values look like to apply: opaque, and few, so a re-seal finds the value it replaces. */
export const sealedValue = fc.constantFrom("sealed", "sealed-r", "enc", "k2:sealed");
/** Subscription token digests: few, so two users draw the same one. */
export const SUBSCRIPTION_DIGESTS = ["t1", "t2", "t3", "t4"].map((token) =>
  createHash("sha256").update(token).digest("hex"),
);

/** A member's identity: its Ed25519 public key as pinned, and its signature over `data`. */
export interface SimulatedIdentity {
  publicKey: string;
  sign(data: Buffer): string;
}

// PKCS#8 wrapping of a raw 32-byte Ed25519 seed (RFC 8410).
const ED25519_PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

/** Members' identities, from fixed seeds: three for five node ids, so two members claim one key. */
export const IDENTITIES: readonly SimulatedIdentity[] = [1, 2, 3].map((seed) => {
  const privateKey = createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8_PREFIX, Buffer.alloc(32, seed)]),
    format: "der",
    type: "pkcs8",
  });
  return {
    publicKey: String(createPublicKey(privateKey).export({ format: "jwk" }).x),
    sign: (data) => sign(null, data, privateKey).toString("base64url"),
  };
});

/**
 * The admin API, or a Telegram user of the workload's domain: apply refuses
 * the command unless that user is an active admin at the time.
 */
export const actor = fc.oneof(
  fc.constant({ kind: "api" as const }),
  userId.map((id) => ({ kind: "telegram" as const, userId: id })),
);

export const replacementKeys = fc.array(
  fc.record({
    configId: replacementConfigId,
    clientPublicKey: key,
    deliveryKeysSealed: fc.constant("sealed-r"),
  }),
  { maxLength: 4 },
);
