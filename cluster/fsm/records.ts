/**
 * The records the control plane keeps. Queries hand out copies of them, so a
 * caller can never change replicated state except through a command. Absent
 * values are `null`, never `undefined`, so every record survives a JSON round
 * trip unchanged.
 */
import type { BackupKeyCheck } from "../../shared/crypto/backup-passphrase-key.ts";

export const SERVER_STATUSES = ["active", "draining", "banned", "down", "removed"] as const;
/**
 * `active` servers get new configs; `draining` keep theirs but get none;
 * `banned` and `down` get none; `removed` left the cluster for good (its
 * users were re-homed, its node's key revoked) and is kept as a record.
 */
export type ServerStatus = (typeof SERVER_STATUSES)[number];

/**
 * `ok`: reachable from everywhere; `filtered`: reachable from outside but
 * blocked inside the censored network; `down`: unreachable from outside too;
 * `inconclusive`: too few probes answered to tell.
 */
export const VERDICTS = ["ok", "filtered", "down", "inconclusive"] as const;
/** The outcome of one ban-check round for one server. */
export type Verdict = (typeof VERDICTS)[number];

/** One protocol's verdict for a round: a protocol is never `down` alone (that is the server's). */
export const PROTOCOL_VERDICTS = ["ok", "filtered", "inconclusive"] as const;
export type ProtocolVerdict = (typeof PROTOCOL_VERDICTS)[number];

/** Languages the bot speaks. */
export const LANGUAGES = ["en", "fa", "ru"] as const;
export type Language = (typeof LANGUAGES)[number];

/** Admins manage the fleet; users only get configs. */
export const USER_ROLES = ["user", "admin"] as const;
export type UserRole = (typeof USER_ROLES)[number];

/** Only active users get configs; pending users wait for an invite or approval. */
export const USER_STATUSES = ["active", "pending", "blocked"] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

/**
 * Plain WireGuard, AmneziaWG (WireGuard with obfuscated handshakes), or
 * Shadowsocks (an AEAD proxy whose traffic looks like random bytes, for
 * networks whose DPI blocks WireGuard).
 */
export const CONFIG_PROTOCOLS = ["wireguard", "amneziawg", "shadowsocks"] as const;
export type ConfigProtocol = (typeof CONFIG_PROTOCOLS)[number];

/** How protocols are named to people: the apps' own spelling, the same in every language. */
export const PROTOCOL_NAMES: Record<ConfigProtocol, string> = {
  wireguard: "WireGuard",
  amneziawg: "AmneziaWG",
  shadowsocks: "Shadowsocks",
};

import type { OfferedProtocol } from "../../shared/protocol-list.ts";

export { OFFERED_PROTOCOLS, type OfferedProtocol } from "../../shared/protocol-list.ts";

export const OUTBOX_KINDS = [
  "expiryWarning",
  "serverChanged",
  "broadcast",
  "approval",
  "approvalRequest",
  "endpointChanged",
  "noCapacity",
  "configRevoked",
  "adminAlert",
  "rejection",
  "trafficWarning",
  "trafficSuspended",
] as const;
/** What a notification is about; the bot renders each kind in the user's language. */
export type OutboxKind = (typeof OUTBOX_KINDS)[number];

/** pending until the bot reports delivery, or a failure that retrying cannot fix. */
export const OUTBOX_STATUSES = ["pending", "delivered", "failed"] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

/**
 * AmneziaWG obfuscation parameters a server advertises; its configs carry
 * them. These are the AmneziaWG 1.0 `[Interface]` fields, by their config
 * names in lower case.
 */
export interface AmneziaParams {
  /** Junk packets sent before each handshake. */
  jc: number;
  /** Smallest junk packet, bytes. */
  jmin: number;
  /** Largest junk packet, bytes. */
  jmax: number;
  /** Junk bytes prepended to a handshake initiation. */
  s1: number;
  /** Junk bytes prepended to a handshake response. */
  s2: number;
  /** Message type replacing 1 (handshake initiation). */
  h1: number;
  /** Message type replacing 2 (handshake response). */
  h2: number;
  /** Message type replacing 3 (cookie reply). */
  h3: number;
  /** Message type replacing 4 (transport data). */
  h4: number;
}

/** How a server serves Shadowsocks: one port per config from its range, one cipher for new configs. */
export interface ShadowsocksService {
  /** The port range configs get their port from, inclusive. */
  firstPort: number;
  lastPort: number;
  /** The cipher new configs on this server get (existing ones keep theirs). */
  method: string;
}

/**
 * A Shadowsocks config's access on its server. The password is the config's
 * preshared key (see Config): the same random 32 bytes every config gets, so
 * issuing, re-keying and re-homing need no keys of their own per protocol.
 */
export interface ShadowsocksAccess {
  /** Unique among the live configs of its server, inside the server's range. */
  port: number;
  method: string;
  /** The password sealed to the server's WireGuard key, like `serverPresharedKeySealed`; null until the leader seals it. */
  passwordSealed: string | null;
}

/** Traffic the server's agent last reported. */
export interface ReportedLoad {
  activePeers: number;
  rxBytes: number;
  txBytes: number;
  reportedAt: number;
}

/** The dedicated WireGuard peer ban checks handshake as; it carries no traffic. */
export interface ProbePeer {
  publicKey: string;
  /** So whichever node leads can run the handshake as this peer. */
  privateKeyEncrypted: string;
  address: string;
}

/**
 * The Shadowsocks port ban checks send a real request through, as the WireGuard
 * probe peer is for handshakes: a port of the server's range like any
 * config's, so a censor cannot tell it apart, that carries no user's traffic.
 */
export interface ShadowsocksProbe {
  port: number;
  method: string;
  /** Sealed under the data keys, so whichever node leads can open it and probe. */
  passwordSealed: string;
  /** The same password sealed to the server's WireGuard key for its agent (context {@link SHADOWSOCKS_PROBE_CONTEXT}). */
  passwordSealedToServer: string;
}

/** The context the probe password is sealed to its server for, and its id among the server's ports. */
export const SHADOWSOCKS_PROBE_CONTEXT = "shadowsocks-probe";

/**
 * A protocol the ban checks found blocked on a server while another of its
 * protocols passed: closed there for new configs, its configs moved.
 */
export interface BlockedProtocol {
  protocol: OfferedProtocol;
  /** The ISP labels whose vantages failed it, sorted; empty when only all vantages together did. */
  isps: string[];
  since: number;
  evidence: string;
}

/** One protocol's current run of verdicts on a server (only servers with two protocols have them). */
export interface ProtocolRun {
  protocol: OfferedProtocol;
  consecutiveFiltered: number;
  consecutiveOk: number;
}

/** One recorded ban-check verdict with its evidence (which probes failed, and how). */
export interface CheckResult {
  round: number;
  verdict: Verdict;
  evidence: string;
  at: number;
}

/** Recent ban-check verdicts (newest last) and the counters that decide bans. */
export interface ServerChecks {
  recent: CheckResult[];
  /** The highest round recorded; verdicts for older rounds are refused. */
  lastRound: number | null;
  consecutiveFiltered: number;
  consecutiveDown: number;
  /** Per protocol, for a server that offers two; in OFFERED_PROTOCOLS order. */
  protocols: ProtocolRun[];
}

/** What an ISP's group of vantage probes said in one ban-check round. */
export const ISP_VERDICTS = ["ok", "filtered", "inconclusive"] as const;
export type IspVerdict = (typeof ISP_VERDICTS)[number];

/** One group's verdict in an hour: `group` is '' for the server as a whole, otherwise an ISP label. */
export interface GroupVerdict {
  group: string;
  verdict: Verdict;
}

/**
 * What one server did in one clock hour, kept for the admins' 24-hour charts.
 * Filled by apply from the commands' own times, so every node holds the same
 * history and a new leader draws what the old one drew.
 */
export interface HourlySample {
  /** Start of the hour, in ms since the epoch (a multiple of 3 600 000). */
  hourStart: number;
  /** Configs created on the server in this hour: issued on it or re-homed onto it. */
  configsIssued: number;
  /** The most active peers a load report in this hour gave; null when none came. */
  activePeers: number | null;
  /** Bytes the server received in this hour, summed from the growth between load reports. */
  rxBytes: number;
  /** Bytes the server sent in this hour, likewise. */
  txBytes: number;
  /** The worst verdict of the hour per group, in the order the groups first appeared. */
  verdicts: GroupVerdict[];
}

/** A VPN server: one per cluster node. */
export interface Server {
  /** The node id of the cluster member running this VPN server. */
  id: string;
  publicKey: string;
  listenPort: number;
  /** The node's public HTTP port, probed by ban checks. */
  apiPort: number;
  endpointHost: string | null;
  subnet: string;
  /** The server's own address inside its subnet. */
  tunnelAddress: string;
  capacity: number;
  region: string;
  amnezia: AmneziaParams | null;
  /**
   * What this server offers new configs, in CONFIG_PROTOCOLS order:
   * `amneziawg` whenever it advertises AmneziaWG parameters, the rest as its
   * node registered (PROTOCOLS). Servers registered before this existed offer WireGuard.
   */
  protocols: ConfigProtocol[];
  /** Null unless the server offers Shadowsocks. */
  shadowsocks: ShadowsocksService | null;
  /** The tunnel MTU for client configs; null until the server's node reports it. */
  mtu: number | null;
  /** Resolvers for client configs; null until the server's node reports them. */
  clientDns: string[] | null;
  /**
   * Whether the server's node holds BOT_TOKEN (it could run the bot if it
   * led); null until the node reports it. The node's own word: it decides
   * nothing but whom the autopilot promotes and hands leadership to.
   */
  holdsBotToken: boolean | null;
  /** Whether the server's node holds DATA_KEYS (it could lead); null until the node reports it. */
  holdsDataKeys: boolean | null;
  /**
   * The ban-check probes the server's node serves and the leader makes for
   * it (probe-custody-task.ts); null from nodes that make their own.
   */
  probes: OfferedProtocol[] | null;
  status: ServerStatus;
  statusReason: string;
  statusActor: string;
  statusAt: number;
  load: ReportedLoad | null;
  probePeer: ProbePeer | null;
  /** Null until the server's node registers one (only servers that offer Shadowsocks do). */
  shadowsocksProbe: ShadowsocksProbe | null;
  /** Protocols the ban checks closed on this server, in OFFERED_PROTOCOLS order. */
  blockedProtocols: BlockedProtocol[];
  checks: ServerChecks;
  /** The last 24 hours and the current one, oldest first (see hourly-history.ts). */
  hourly: HourlySample[];
  registeredAt: number;
}

/** A Telegram user of the bot. */
export interface User {
  /** The Telegram user id, which is also the private chat id. */
  id: string;
  name: string;
  language: Language;
  role: UserRole;
  status: UserStatus;
  createdAt: number;
  invitedBy: string | null;
  /** The protocol of the last config the user got; the bot offers it first. Null before their first config. */
  preferredProtocol: ConfigProtocol | null;
}

/** Why a config's delivery copy of its keys is gone. */
/** `restored`: the config came back from a backup, which never holds keys. */
export const KEYS_ERASED_REASONS = ["delivered", "expired", "revoked", "restored"] as const;
export type KeysErasedReason = (typeof KEYS_ERASED_REASONS)[number];

/**
 * A client config issued to a user on one server. Its keys are held in two
 * copies, neither readable by apply: the delivery copy (client private key
 * and preshared key, sealed under the data keys) lives only until the user
 * has the config, or the undelivered-key bound passes; the server copy (the
 * preshared key alone, sealed to the config's server's WireGuard key) lives
 * as long as the config, and only that server can open it.
 *
 * A Shadowsocks config gets the same keys: its preshared key is its
 * password, and its server copy is `shadowsocks.passwordSealed` (its
 * `serverPresharedKeySealed` stays null). Its client key pair only names the
 * keys' generation (re-keying and sealing check it); no interface uses it.
 * It holds an address of its server's subnet like every config, though
 * nothing routes to it: a server's capacity counts configs of every
 * protocol, and its subnet is sized for that capacity.
 */
export interface Config {
  id: string;
  userId: string;
  serverId: string;
  protocol: ConfigProtocol;
  clientPublicKey: string;
  /** `{privateKey, presharedKey}` sealed by the proposer (data keys, record = config id); null once erased. */
  deliveryKeysSealed: string | null;
  /** When the current keys were made (issued, re-homed or re-keyed): the undelivered-key bound counts from here. */
  keysIssuedAt: number;
  /** When the user got the config while the server copy was not sealed yet: erased as soon as it is. */
  deliveredAt: number | null;
  keysErasedAt: number | null;
  keysErasedReason: KeysErasedReason | null;
  /** The preshared key sealed to the server's WireGuard key (see shared/crypto/wireguard-sealed-box.ts); null until the leader seals it. */
  serverPresharedKeySealed: string | null;
  /**
   * The client private key sealed to the server's WireGuard key, sealed with
   * the server copy of the preshared key: the config's server hands it to
   * the user's subscription (cluster/subscription). Null for configs sealed
   * before subscriptions, and for revoked ones.
   */
  subscriptionPrivateKeySealed: string | null;
  address: string;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
  revokeReason: string | null;
  expiryWarned: boolean;
  /** The config that replaced this one when its server was banned. */
  replacedBy: string | null;
  /** Null for WireGuard and AmneziaWG configs. */
  shadowsocks: ShadowsocksAccess | null;
}

/**
 * A user's subscription: one URL that clients refresh by themselves. The
 * state keeps the token's SHA-256 to find the user by it, and the token
 * sealed under the data keys so the bot and the admin API can show the URL
 * again. A reset replaces both; the old token then finds nobody.
 */
export interface Subscription {
  userId: string;
  /** SHA-256 of the token, hex. */
  tokenSha256: string;
  /** The token sealed under the data keys, bound to the user id. */
  tokenSealed: string;
  issuedAt: number;
}

/** An invite code that activates pending users while it has uses left. */
export interface Invite {
  code: string;
  usesLeft: number;
  createdBy: string;
  createdAt: number;
}

/** A probe agent inside the censored network that ban checks ask. */
export interface VantageProbe {
  id: string;
  url: string;
  tokenEncrypted: string;
  region: string;
  isp: string;
  addedBy: string;
  addedAt: number;
  /**
   * The WireGuard key this vantage handshakes with, a peer on every server.
   * Each prober needs its own: a server ignores a handshake whose timestamp
   * is not newer than the last one it took from that key, so probers sharing
   * a key with clocks apart would silence each other. Null for probes added
   * without one (they share the server's own probe peer).
   */
  probePublicKey: string | null;
  probePrivateKeyEncrypted: string | null;
  /**
   * The SHA-256 fingerprint (`AB:CD:...`, shared/cert-fingerprint.ts) of the
   * agent's TLS certificate: the leader accepts exactly that certificate,
   * whoever signed it (a self-signed agent). Null: the certificate must
   * verify against the system CAs.
   */
  certSha256: string | null;
  /**
   * The admin chose plain http:// for this probe, and its token and keys cross
   * the network unencrypted. Without it an http:// URL is never asked.
   */
  insecure: boolean;
}

/**
 * A message an admin sent to every active user. Its text is kept once here;
 * each user's outbox entry carries only the broadcast id.
 */
export interface Broadcast {
  id: string;
  text: string;
  actor: string;
  createdAt: number;
}

/** How a node's identity key came to be pinned. */
export const NODE_KEY_ADMISSIONS = ["first-contact", "admin", "join-token"] as const;
export type NodeKeyAdmission = (typeof NODE_KEY_ADMISSIONS)[number];

/**
 * The identity key a member must prove to be that member (see
 * cluster/transport/peer-key-book.ts). One key per node, one node per key.
 */
export interface NodeKey {
  nodeId: string;
  publicKey: string;
  admittedBy: NodeKeyAdmission;
  /** Who pinned it: the leader's id for first contact, the admin for a re-admission. */
  actor: string;
  pinnedAt: number;
}

/** Where a join token stands: waiting, used by one identity key, or withdrawn by an admin. */
export const JOIN_TOKEN_STATUSES = ["pending", "redeemed", "cancelled"] as const;
export type JoinTokenStatus = (typeof JOIN_TOKEN_STATUSES)[number];

/**
 * A join token as the cluster keeps it (see cluster/membership/join-token.ts):
 * never the secret, only the verifier that checks its signatures. Kept after
 * use or cancellation, so the new node is told why it is refused and the id
 * is never handed out twice.
 */
export interface JoinTokenRecord {
  nodeId: string;
  verifier: string;
  /** The new server's region and capacity, when the admin gave them. */
  region: string | null;
  capacity: number | null;
  createdBy: string;
  createdAt: number;
  expiresAt: number;
  status: JoinTokenStatus;
  /** The identity key it admitted, once redeemed. */
  redeemedKey: string | null;
  /** When it was redeemed or cancelled. */
  closedAt: number | null;
}

/** A member an admin removed: its id is never reused, and the leader finishes the removal. */
export interface MemberRemoval {
  nodeId: string;
  reason: string;
  actor: string;
  requestedAt: number;
}

/** What the autopilot or an admin changed in the membership. */
export const MEMBERSHIP_CHANGES = [
  "joined",
  "promoted",
  "demoted",
  "removed",
  "keyRevoked",
  /** The leader handed leadership to this member. */
  "handedLeadership",
] as const;
export type MembershipChange = (typeof MEMBERSHIP_CHANGES)[number];

/** One membership change as /v1/status lists it and admins are told. */
export interface MembershipEvent {
  nodeId: string;
  change: MembershipChange;
  reason: string;
  at: number;
}

/** A key that was replaced or revoked: it never admits anyone again. */
export interface RevokedNodeKey {
  publicKey: string;
  nodeId: string;
  reason: string;
  revokedAt: number;
}

/** A JSON value carried in an outbox entry. */
export type OutboxPayload = Record<string, string | number | boolean | null>;

/** A notification to deliver; entries outlive failovers because they are replicated. */
export interface OutboxEntry {
  id: string;
  chatId: string;
  kind: OutboxKind;
  payload: OutboxPayload;
  createdAt: number;
  status: OutboxStatus;
  attempts: number;
  lastError: string | null;
  /** When it was last marked delivered or failed. */
  updatedAt: number;
  /** Not delivered before this instant (epoch ms); null: as soon as Telegram's limits allow. */
  notBefore: number | null;
}

/**
 * The values sealed under the data keys, by where they live: a vantage's
 * token and probe key, a server's probe key, a config's delivery keys, a
 * user's subscription token.
 */
export const SEALED_SECRET_KINDS = [
  "vantageToken",
  "vantageProbeKey",
  "serverProbeKey",
  "serverShadowsocksProbe",
  "configDeliveryKeys",
  "subscriptionToken",
] as const;
export type SealedSecretKind = (typeof SEALED_SECRET_KINDS)[number];

/**
 * The admins' backup passphrase as the state keeps it: the key-derivation
 * check (salt, scrypt parameters, and the public key backups are encrypted
 * to, which is also the verifier), never the passphrase or its private key.
 */
export interface BackupPassphrase extends BackupKeyCheck {
  /** Who set it: the admin's Telegram id, or `api`. */
  setBy: string;
  setAt: number;
}

/** A peer the server's WireGuard interface must have: what the agent syncs. */
export interface ServerPeer {
  publicKey: string;
  /** Sealed to this server's WireGuard key; null for the probe peers, which have no preshared key. */
  presharedKeySealed: string | null;
  /** Null for a vantage probe's peer: it only handshakes and routes nothing. */
  address: string | null;
  kind: "client" | "probe";
}

/**
 * One config's traffic counter: the raw counter its server last reported
 * (cumulative since the peer was added to the interface) and the bytes
 * counted from it in the current period. Apply counts the growth of the raw
 * counter; a raw counter lower than the last one was reset (the interface or
 * the peer was recreated) and counts from zero.
 */
export interface ConfigTraffic {
  configId: string;
  /** What the raw counter belongs to: the WireGuard client key; another peer's counter starts at zero. */
  peer: string;
  rawRxBytes: number;
  rawTxBytes: number;
  /** The report time (the server's `at`) of the last raw counter. */
  reportedAt: number;
  /** Bytes the server received from this config's client this period (the user's upload). */
  rxBytes: number;
  /** Bytes the server sent to this config's client this period (the user's download). */
  txBytes: number;
}

/** A user's traffic this period and what their quota did. */
export interface UserTraffic {
  userId: string;
  /** Upload this period, summed over the user's configs. */
  rxBytes: number;
  /** Download this period, summed over the user's configs. */
  txBytes: number;
  /** An admin's quota for this user in GB, whole MB (0: unlimited); null: the cluster's `trafficQuotaGb`. */
  quotaGb: number | null;
  /** The 80 % warning went out this period. */
  warned: boolean;
  /** Over quota: the user's peers are off every server until the period resets or an admin lifts it. */
  suspended: boolean;
  /** An admin lifted the suspension: not suspended again this period. */
  lifted: boolean;
}

/** Whether this user may act as an admin now: the admin role, and active (not blocked or pending). */
export function isActiveAdmin(user: User | undefined): boolean {
  return user?.role === "admin" && user.status === "active";
}

/** The config's server copy of its secret (preshared key, or Shadowsocks password), or null while unsealed. */
export function serverCopyOf(config: Config): string | null {
  return config.shadowsocks ? config.shadowsocks.passwordSealed : config.serverPresharedKeySealed;
}

/** A Shadowsocks port the server's agent must serve: what it syncs with ss-manager. */
export interface ServerShadowsocksPort {
  configId: string;
  port: number;
  method: string;
  passwordSealed: string;
  /** The context the password was sealed for (the config's client public key). */
  sealedFor: string;
}

/** The status actor of the servers a restore brought back (fsm/backup-content.ts). */
export const RESTORE_ACTOR = "restore";

/**
 * Whether a server came back from a backup and its node has not registered
 * again: a new node may take its id with a join token (and so its subnet
 * and its users' addresses).
 */
export function awaitsReregistration(server: Server): boolean {
  return (
    server.statusActor === RESTORE_ACTOR && server.status === "down" && server.endpointHost === null
  );
}

/** Whether a config still grants access. */
export function isLive(config: Config): boolean {
  return config.revokedAt === null;
}
