/**
 * Random commands about configs: issued, downloaded again (re-keyed) and
 * revoked by users, expired by the leader's sweep, and their keys' custody:
 * server copies sealed and delivery copies erased.
 */
import fc from "fast-check";
import {
  actor,
  anyConfigId,
  at,
  configId,
  key,
  updateId,
  userId,
  type WeightedCommand,
} from "./domains.ts";

const issueConfig = fc.record(
  {
    type: fc.constant("issueConfig" as const),
    configId,
    userId,
    region: fc.constantFrom("eu", "us"),
    protocol: fc.constantFrom("wireguard" as const, "shadowsocks" as const),
    clientPublicKey: key,
    deliveryKeysSealed: fc.constant("sealed"),
    at,
    updateId,
    // The API's retries repeat a key; other requests mostly draw one no other request used.
    idempotencyKey: fc.integer({ min: 1, max: 12 }).map((n) => `k${n}`),
  },
  {
    requiredKeys: [
      "type",
      "configId",
      "userId",
      "protocol",
      "clientPublicKey",
      "deliveryKeysSealed",
      "at",
    ],
  },
);

/**
 * Server copies drawn blind: mostly for keys the config or the server no
 * longer has, which apply skips. The leader's own key custody seals the
 * configs as they are (see leader-tasks.ts).
 */
const sealServerPresharedKeys = fc.record({
  type: fc.constant("sealServerPresharedKeys" as const),
  items: fc.array(
    fc.record(
      {
        configId: anyConfigId,
        clientPublicKey: key,
        serverPublicKey: key,
        sealed: fc.constant("to-server"),
        subscriptionPrivateKeySealed: fc.constant("to-server-private"),
      },
      { requiredKeys: ["configId", "clientPublicKey", "serverPublicKey", "sealed"] },
    ),
    { minLength: 1, maxLength: 2 },
  ),
  at,
});

/** Users ask for configs and download them again; the leader's tasks keep their keys. */
export const configCommands: WeightedCommand[] = [
  { arbitrary: issueConfig, weight: 8 },
  {
    arbitrary: fc.record(
      {
        type: fc.constant("revokeConfig" as const),
        configId: anyConfigId,
        userId,
        actor,
        reason: fc.constant("r"),
        at,
        updateId,
      },
      { requiredKeys: ["type", "configId", "actor", "reason", "at"] },
    ),
    weight: 2,
  },
  {
    arbitrary: fc.record(
      {
        type: fc.constant("rekeyConfig" as const),
        configId: anyConfigId,
        userId,
        clientPublicKey: key,
        deliveryKeysSealed: fc.constant("sealed"),
        at,
        updateId,
      },
      { requiredKeys: ["type", "configId", "clientPublicKey", "deliveryKeysSealed", "at"] },
    ),
    weight: 2,
  },
  { arbitrary: sealServerPresharedKeys, weight: 1 },
  {
    arbitrary: fc.record({
      type: fc.constant("eraseConfigKeys" as const),
      configIds: fc.uniqueArray(anyConfigId, { minLength: 1, maxLength: 3 }),
      reason: fc.constantFrom("delivered" as const, "expired" as const),
      at,
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ type: fc.constant("expireConfigs" as const), at }), weight: 1 },
];
