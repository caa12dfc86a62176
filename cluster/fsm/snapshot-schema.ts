/**
 * The shape of a version-2 control-plane snapshot, checked before anything
 * is restored from it: a snapshot arrives from a peer (or from a disk that
 * may be damaged), so every row is validated field by field rather than cast.
 */
import { z } from "zod";
import { HOURS_KEPT } from "./hourly-history.ts";
import {
  CONFIG_PROTOCOLS,
  JOIN_TOKEN_STATUSES,
  KEYS_ERASED_REASONS,
  LANGUAGES,
  MEMBERSHIP_CHANGES,
  NODE_KEY_ADMISSIONS,
  OFFERED_PROTOCOLS,
  OUTBOX_KINDS,
  OUTBOX_STATUSES,
  SERVER_STATUSES,
  USER_ROLES,
  USER_STATUSES,
  VERDICTS,
} from "./records.ts";

const text = z.string();
const count = z.int().nonnegative();
/** Times and byte counters: non-negative, possibly beyond 32 bits. */
const amount = z.number().nonnegative();

const serverRow = z.tuple([
  text, // id
  text, // publicKey
  count, // listenPort
  count, // apiPort
  text.nullable(), // endpointHost
  text, // subnet
  count, // capacity
  text, // region
  z.tuple([count, count, count, count, count, count, count, count, count]).nullable(), // amnezia
  z.enum(SERVER_STATUSES),
  text, // statusReason
  text, // statusActor
  amount, // statusAt
  z.tuple([count, amount, amount, amount]).nullable(), // load
  z.tuple([text, text, text]).nullable(), // probePeer
  z.tuple([
    amount.nullable(), // lastRound
    count, // consecutiveFiltered
    count, // consecutiveDown
    z.array(z.tuple([amount, z.enum(VERDICTS), text, amount])), // recent verdicts
  ]),
  amount, // registeredAt
  // Absent in snapshots from before servers reported them.
  count.nullable().optional(), // mtu
  z.array(text).nullable().optional(), // clientDns
  // Absent in snapshots from before Shadowsocks.
  z.array(z.enum(CONFIG_PROTOCOLS)).optional(), // protocols
  z.tuple([count, count, text]).nullable().optional(), // shadowsocks: firstPort, lastPort, method
  // Absent in snapshots from before the hourly history.
  z
    .array(
      z.tuple([
        amount, // hourStart
        count, // configsIssued
        count.nullable(), // activePeers
        amount, // rxBytes
        amount, // txBytes
        z.array(z.tuple([text, z.enum(VERDICTS)])), // verdicts by group
      ]),
    )
    .max(HOURS_KEPT)
    .optional(), // hourly
  // Absent in snapshots from before ban checks judged each protocol.
  z.tuple([count, text, text, text]).nullable().optional(), // shadowsocksProbe: port, method, passwordSealed, passwordSealedToServer
  z.array(z.tuple([z.enum(OFFERED_PROTOCOLS), z.array(text), amount, text])).optional(), // blockedProtocols: protocol, isps, since, evidence
  z.array(z.tuple([z.enum(OFFERED_PROTOCOLS), count, count])).optional(), // checks.protocols: protocol, consecutiveFiltered, consecutiveOk
  // Absent in snapshots from before nodes reported it.
  z.boolean().nullable().optional(), // holdsBotToken
  z.boolean().nullable().optional(), // holdsDataKeys
  z.array(z.enum(OFFERED_PROTOCOLS)).nullable().optional(), // probes
]);

const userRow = z.tuple([
  text, // id
  text, // name
  z.enum(LANGUAGES),
  z.enum(USER_ROLES),
  z.enum(USER_STATUSES),
  amount, // createdAt
  text.nullable(), // invitedBy
  z.enum(CONFIG_PROTOCOLS).nullable().optional(), // preferredProtocol, absent from before Shadowsocks
]);

const configRow = z.tuple([
  text, // id
  text, // userId
  text, // serverId
  z.enum(CONFIG_PROTOCOLS),
  text, // clientPublicKey
  text.nullable(), // deliveryKeysSealed
  amount, // keysIssuedAt
  amount.nullable(), // deliveredAt
  amount.nullable(), // keysErasedAt
  z.enum(KEYS_ERASED_REASONS).nullable(), // keysErasedReason
  text.nullable(), // serverPresharedKeySealed
  text, // address
  amount, // createdAt
  amount.nullable(), // expiresAt
  amount.nullable(), // revokedAt
  text.nullable(), // revokeReason
  z.union([z.literal(0), z.literal(1)]), // expiryWarned
  text.nullable(), // replacedBy
  z.tuple([count, text, text.nullable()]).nullable().optional(), // shadowsocks: port, method, passwordSealed
  // Absent in snapshots from before subscriptions.
  text.nullable().optional(), // subscriptionPrivateKeySealed
]);

/**
 * A config from before keys were erased after delivery, its keys sealed
 * under CLUSTER_SECRET: read with no key copy this version can open, so its
 * owner downloads it again (a new key pair) to use it.
 */
const configRowWithClusterSecretKeys = z.tuple([
  text, // id
  text, // userId
  text, // serverId
  z.enum(CONFIG_PROTOCOLS),
  text, // clientPublicKey
  text, // clientPrivateKeyEncrypted
  text, // presharedKeyEncrypted
  text, // address
  amount, // createdAt
  amount.nullable(), // expiresAt
  amount.nullable(), // revokedAt
  text.nullable(), // revokeReason
  z.union([z.literal(0), z.literal(1)]), // expiryWarned
  text.nullable(), // replacedBy
]);

const inviteRow = z.tuple([text, count, text, amount]);

/**
 * Rows of 9 fields come from before certificate pinning (no fingerprint, not
 * insecure), rows of 7 from before vantage probes had their own keys.
 */
const vantageProbeRow = z.union([
  z.tuple([
    text, // id
    text, // url
    text, // tokenEncrypted
    text, // region
    text, // isp
    text, // addedBy
    amount, // addedAt
    text.nullable(), // probePublicKey
    text.nullable(), // probePrivateKeyEncrypted
    text.nullable(), // certSha256
    z.union([z.literal(0), z.literal(1)]), // insecure
  ]),
  z.tuple([text, text, text, text, text, text, amount, text.nullable(), text.nullable()]),
  z.tuple([text, text, text, text, text, text, amount]),
]);

const broadcastRow = z.tuple([text, text, text, amount]);

const outboxFields = [
  text, // id
  text, // chatId
  z.enum(OUTBOX_KINDS),
  z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])), // payload
  amount, // createdAt
  z.enum(OUTBOX_STATUSES),
  count, // attempts
  text.nullable(), // lastError
  amount, // updatedAt
] as const;

/** Rows of 9 fields come from before entries could wait (`notBefore`). */
const outboxRow = z.union([
  z.tuple([...outboxFields, amount.nullable()]), // notBefore
  z.tuple(outboxFields),
]);

const idempotencyKeyRow = z.tuple([text, text, text, amount]);

const nodeKeyRow = z.tuple([text, text, z.enum(NODE_KEY_ADMISSIONS), text, amount]);
const revokedNodeKeyRow = z.tuple([text, text, text, amount]);
const joinTokenRow = z.tuple([
  text, // nodeId
  text, // verifier
  text.nullable(), // region
  count.nullable(), // capacity
  text, // createdBy
  amount, // createdAt
  amount, // expiresAt
  z.enum(JOIN_TOKEN_STATUSES),
  text.nullable(), // redeemedKey
  amount.nullable(), // closedAt
]);
const memberRemovalRow = z.tuple([text, text, text, amount]);
const membershipEventRow = z.tuple([text, z.enum(MEMBERSHIP_CHANGES), text, amount]);
const subscriptionRow = z.tuple([
  text, // userId
  text, // tokenSha256
  text, // tokenSealed
  amount, // issuedAt
]);
const bit = z.union([z.literal(0), z.literal(1)]);
const configTrafficRow = z.tuple([
  text, // configId
  text, // peer
  amount, // rawRxBytes
  amount, // rawTxBytes
  amount, // reportedAt
  amount, // rxBytes
  amount, // txBytes
]);
const userTrafficRow = z.tuple([
  text, // userId
  amount, // rxBytes
  amount, // txBytes
  amount.nullable(), // quotaGb
  bit, // warned
  bit, // suspended
  bit, // lifted
]);
const trafficLedger = z.tuple([
  amount, // periodStart
  z.array(z.tuple([text, amount])), // each server's last report time
  z.array(configTrafficRow),
  z.array(userTrafficRow),
]);

export const snapshotV2Schema = z.object({
  v: z.literal(2),
  settings: z.array(z.tuple([text, text])),
  servers: z.array(serverRow),
  users: z.array(userRow),
  configs: z.array(z.union([configRow, configRowWithClusterSecretKeys])),
  invites: z.array(inviteRow),
  vantageProbes: z.array(vantageProbeRow),
  broadcasts: z.array(broadcastRow),
  outbox: z.array(outboxRow),
  updates: z.tuple([
    z.int(), // offset
    z.int(), // forgottenThrough
    z.array(z.tuple([z.int(), text])), // results
  ]),
  idempotencyKeys: z.array(idempotencyKeyRow),
  /** Added after version 2 shipped: absent in older snapshots. */
  nodeKeys: z.array(nodeKeyRow).default([]),
  revokedNodeKeys: z.array(revokedNodeKeyRow).default([]),
  joinTokens: z.array(joinTokenRow).default([]),
  memberRemovals: z.array(memberRemovalRow).default([]),
  membershipEvents: z.array(membershipEventRow).max(100).default([]),
  /** The backup passphrase's check and the last claimed schedule slot; absent before backups. */
  backup: z
    .tuple([
      z
        .tuple([
          text, // salt
          count, // n
          count, // r
          count, // p
          text, // publicKey
          text, // setBy
          amount, // setAt
        ])
        .nullable(),
      amount.nullable(), // lastBackupSlot
    ])
    .default([null, null]),
  /** Handled updates with the messages of their replies sent (a subset of `updates`' results). */
  answeredUpdates: z.array(z.tuple([z.int(), z.int().min(1)])).default([]),
  subscriptions: z.array(subscriptionRow).default([]),
  /** Absent in snapshots from before traffic was counted. */
  traffic: trafficLedger.optional(),
});

export type SnapshotV2 = z.input<typeof snapshotV2Schema>;
export type ServerRow = z.infer<typeof serverRow>;
export type ConfigRow = z.infer<typeof configRow>;

export const snapshotV1Schema = z.object({
  version: z.literal(1),
  settings: z.record(z.string(), z.string()),
});
