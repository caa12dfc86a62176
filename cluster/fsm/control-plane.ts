/**
 * The replicated control-plane state: servers, users, configs, invites,
 * settings, vantage probes, handled Telegram updates and the notification
 * outbox. Every node applies the same committed commands in the same order
 * and ends in the same state.
 *
 * `apply` is deterministic: no clock, randomness or I/O; timestamps, ids and
 * keys travel in the command. A refused command changes nothing and returns
 * a stable code with a message. Queries are plain reads of this node's
 * applied state; callers that need linearizable reads wait for ReadIndex
 * first.
 */
import { createHash } from "node:crypto";
import type { StateMachine } from "../state-machine.ts";
import { adminAuthorityProblem } from "./admin-authority.ts";
import { ApplyContext } from "./apply-context.ts";
import { type ApplyResult, applied, repeated } from "./apply-result.ts";
import { claimBackupSlot, setBackupPassphrase } from "./backup-commands.ts";
import { type BackupCounts, backupContentOf, restoredPartsHash } from "./backup-content.ts";
import { type ControlPlaneCommand, controlPlaneCommandSchema } from "./commands.ts";
import { issueConfig, revokeConfig } from "./config-commands.ts";
import { eraseConfigKeys, rekeyConfig, sealServerPresharedKeys } from "./config-key-commands.ts";
import { ControlPlaneData, compareIds } from "./control-plane-data.ts";
import { refuse } from "./errors.ts";
import { expireConfigs } from "./expiry-sweep.ts";
import { createInvite, deleteInvite, redeemInvite } from "./invite-commands.ts";
import { cancelJoinToken, createJoinToken, redeemJoinToken } from "./join-token-commands.ts";
import { removeMember } from "./member-removal-commands.ts";
import { recordMembershipChange } from "./membership-event-commands.ts";
import { pinNodeKey, replaceNodeKey, revokeNodeKey } from "./node-key-commands.ts";
import { broadcast, markOutboxDelivered, markOutboxFailed } from "./outbox-commands.ts";
import { proposerProblem } from "./proposer-authority.ts";
import {
  type BackupPassphrase,
  type Broadcast,
  type Config,
  type ConfigTraffic,
  type Invite,
  type JoinTokenRecord,
  type MemberRemoval,
  type MembershipEvent,
  type NodeKey,
  type OutboxEntry,
  type RevokedNodeKey,
  type ServerPeer,
  type ServerShadowsocksPort,
  SHADOWSOCKS_PROBE_CONTEXT,
  type Subscription,
  type User,
  type UserTraffic,
  type VantageProbe,
} from "./records.ts";
import { resealSecrets, type SealedSecret, sealedSecrets } from "./secret-reseal-commands.ts";
import {
  registerServer,
  reportServerLoad,
  setProbePeer,
  setServerEndpoint,
  setShadowsocksProbe,
} from "./server-commands.ts";
import { recordVerdict, setServerStatus } from "./server-status-commands.ts";
import { setSetting } from "./setting-commands.ts";
import { effectiveSetting, type KnownSetting } from "./settings.ts";
import { decodeSnapshot, encodeSnapshot } from "./snapshot-codec.ts";
import { STATE_VERSION } from "./state-version.ts";
import { issueSubscription } from "./subscription-commands.ts";
import {
  liftTrafficSuspension,
  reportTraffic,
  setUserQuota,
  startTrafficPeriod,
} from "./traffic-commands.ts";
import { type TrafficUsage, trafficUsageOf } from "./traffic-usage.ts";
import { setUserRole, setUserStatus, upsertUser } from "./user-commands.ts";
import { addVantageProbe, removeVantageProbe } from "./vantage-probe-commands.ts";
import {
  copyConfig,
  copyInvite,
  copyOutboxEntry,
  copyServer,
  copyUser,
  copyVantageProbe,
  type ServerView,
} from "./views.ts";

export type { ApplyResult } from "./apply-result.ts";
export { controlPlaneCommandSchema } from "./commands.ts";

const NODE_KEY_COMMANDS = new Set<ControlPlaneCommand["type"]>([
  "pinNodeKey",
  "replaceNodeKey",
  "revokeNodeKey",
  "redeemJoinToken",
]);

/**
 * Commands that never change what any server's interface must hold (its
 * clients' keys and addresses, the probe peers), unless their handler says
 * so (`ApplyContext.markPeersChanged`: a traffic report that suspends a
 * user). Every other command may, and counts as a change of peers; these are
 * the frequent ones a busy cluster applies, which must not make every server
 * resync.
 */
const PEERS_UNCHANGED_BY = new Set<ControlPlaneCommand["type"]>([
  "setSetting",
  "reportServerLoad",
  "setServerEndpoint",
  "markOutboxDelivered",
  "markOutboxFailed",
  "eraseConfigKeys",
  "resealSecrets",
  "broadcast",
  "acknowledgeUpdate",
  "markUpdatesAnswered",
  "upsertUser",
  "setUserRole",
  "createInvite",
  "redeemInvite",
  "deleteInvite",
  "pinNodeKey",
  "replaceNodeKey",
  "revokeNodeKey",
  "createJoinToken",
  "redeemJoinToken",
  "cancelJoinToken",
  "recordMembershipChange",
  "setBackupPassphrase",
  "claimBackupSlot",
  "issueSubscription",
  "reportTraffic",
  "setUserQuota",
  "liftTrafficSuspension",
  "startTrafficPeriod",
]);

/** Totals for dashboards and metrics. */
export interface StateCounts {
  servers: number;
  bannedServers: number;
  users: number;
  liveConfigs: number;
  pendingOutbox: number;
}

/** A page of users in the order they joined. */
export interface UserPage {
  users: User[];
  total: number;
}

/**
 * The control plane as the node drives it: `apply` for committed commands,
 * `snapshot`/`restore` for Raft snapshots, and read-only queries for the API,
 * the bot and the agent.
 */
export class ControlPlaneState implements StateMachine<ApplyResult> {
  readonly version = STATE_VERSION;
  private data = new ControlPlaneData();
  private nodeKeyChanges = 0;
  private peerChanges = 0;

  /**
   * Applies one committed command at Raft `index`. Never throws for bad
   * input: a malformed or invalid command is refused with a code and changes
   * nothing. A command carrying a Telegram `updateId` already handled gets
   * the first result back with `duplicate: true`. An admin command for a
   * Telegram user who is not an active admin at this index is refused
   * (`NOT_AN_ADMIN`).
   */
  apply(command: string, index: number, forwardedBy?: string): ApplyResult {
    let json: unknown;
    try {
      json = JSON.parse(command);
    } catch {
      return refuse("INVALID_COMMAND", "command is not JSON");
    }
    const parsed = controlPlaneCommandSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.join(".") || "command";
      return refuse("INVALID_COMMAND", `${where}: ${issue?.message ?? "invalid"}`);
    }
    const valid = parsed.data;
    const notTheirs = proposerProblem(valid, forwardedBy);
    if (notTheirs) return notTheirs;
    const updateId = "updateId" in valid ? valid.updateId : undefined;
    if (updateId !== undefined) {
      const earlier = this.data.handledUpdates.lookup(updateId);
      // A repeat answers with the first result only when it is this kind of
      // command's: an update first handled otherwise (say, acknowledged) has none.
      if (earlier.kind === "handled")
        return repeated(
          earlier.commandType === valid.type ? JSON.parse(earlier.resultJson) : undefined,
        );
      if (earlier.kind === "forgotten")
        return refuse(
          "UPDATE_TOO_OLD",
          `update ${updateId} is older than the handled updates still remembered; it is not acted on again`,
        );
    }
    // After the repeat check: an update applied before its admin was demoted answers
    // with what it did, rather than claim now that it was refused.
    const notAnAdmin = adminAuthorityProblem(this.data, valid);
    if (notAnAdmin) return notAnAdmin;
    const context = new ApplyContext(index, this.data.outbox);
    const result = this.dispatch(valid, context);
    if (result.ok && NODE_KEY_COMMANDS.has(valid.type)) this.nodeKeyChanges++;
    if (result.ok && (!PEERS_UNCHANGED_BY.has(valid.type) || context.peersChanged))
      this.peerChanges++;
    // A refusal changes nothing, so it is not remembered either: a redelivered
    // update that was refused is simply evaluated again.
    if (updateId !== undefined && result.ok && !result.duplicate)
      this.data.handledUpdates.record(updateId, valid.type, JSON.stringify(result.value));
    return result;
  }

  private dispatch(command: ControlPlaneCommand, context: ApplyContext): ApplyResult {
    const data = this.data;
    switch (command.type) {
      case "setSetting":
        return setSetting(data, context, command);
      case "registerServer":
        return registerServer(data, context, command);
      case "setServerEndpoint":
        return setServerEndpoint(data, context, command);
      case "setServerStatus":
        return setServerStatus(data, context, command);
      case "setProbePeer":
        return setProbePeer(data, command);
      case "setShadowsocksProbe":
        return setShadowsocksProbe(data, command);
      case "reportServerLoad":
        return reportServerLoad(data, command);
      case "recordVerdict":
        return recordVerdict(data, context, command);
      case "upsertUser":
        return upsertUser(data, context, command);
      case "setUserRole":
        return setUserRole(data, command);
      case "setUserStatus":
        return setUserStatus(data, context, command);
      case "createInvite":
        return createInvite(data, command);
      case "redeemInvite":
        return redeemInvite(data, command);
      case "deleteInvite":
        return deleteInvite(data, command);
      case "issueConfig":
        return issueConfig(data, command);
      case "revokeConfig":
        return revokeConfig(data, command);
      case "rekeyConfig":
        return rekeyConfig(data, command);
      case "sealServerPresharedKeys":
        return sealServerPresharedKeys(data, command);
      case "issueSubscription":
        return issueSubscription(data, command);
      case "eraseConfigKeys":
        return eraseConfigKeys(data, context, command);
      case "resealSecrets":
        return resealSecrets(data, command);
      case "expireConfigs":
        return expireConfigs(data, context, command);
      case "addVantageProbe":
        return addVantageProbe(data, command);
      case "removeVantageProbe":
        return removeVantageProbe(data, command);
      case "markOutboxDelivered":
        return markOutboxDelivered(data, context, command);
      case "markOutboxFailed":
        return markOutboxFailed(data, command);
      case "broadcast":
        return broadcast(data, context, command);
      case "pinNodeKey":
        return pinNodeKey(data, command);
      case "replaceNodeKey":
        return replaceNodeKey(data, command);
      case "revokeNodeKey":
        return revokeNodeKey(data, command);
      case "createJoinToken":
        return createJoinToken(data, command);
      case "redeemJoinToken":
        return redeemJoinToken(data, command);
      case "cancelJoinToken":
        return cancelJoinToken(data, command);
      case "removeMember":
        return removeMember(data, context, command);
      case "recordMembershipChange":
        return recordMembershipChange(data, context, command);
      case "setBackupPassphrase":
        return setBackupPassphrase(data, command);
      case "claimBackupSlot":
        return claimBackupSlot(data, command);
      case "acknowledgeUpdate":
        return applied({ updateId: command.updateId });
      case "markUpdatesAnswered":
        return applied({ marked: data.handledUpdates.markAnswered(command.updates) });
      case "reportTraffic":
        return reportTraffic(data, context, command);
      case "setUserQuota":
        return setUserQuota(data, context, command);
      case "liftTrafficSuspension":
        return liftTrafficSuspension(data, context, command);
      case "startTrafficPeriod":
        return startTrafficPeriod(data, context, command);
    }
  }

  /** The identity key `nodeId` must prove, if one is pinned. */
  pinnedKeyOf(nodeId: string): string | undefined {
    return this.data.nodeKeys.get(nodeId)?.publicKey;
  }

  /** The member whose pinned key `publicKey` is. */
  nodeIdOfKey(publicKey: string): string | undefined {
    for (const key of this.data.nodeKeys.values())
      if (key.publicKey === publicKey) return key.nodeId;
    return undefined;
  }

  isRevokedKey(publicKey: string): boolean {
    return this.data.revokedNodeKeys.has(publicKey);
  }

  /** Whether `nodeId` has no pinned key because its key was revoked. */
  isRevokedNode(nodeId: string): boolean {
    return !this.data.nodeKeys.has(nodeId) && this.data.hasRevokedKeyOf(nodeId);
  }

  /** Every pinned identity key, sorted by node id. */
  nodeKeys(): NodeKey[] {
    return [...this.data.nodeKeys.values()]
      .sort((a, b) => compareIds(a.nodeId, b.nodeId))
      .map((key) => ({ ...key }));
  }

  /** Every revoked identity key, oldest first. */
  revokedNodeKeys(): RevokedNodeKey[] {
    return [...this.data.revokedNodeKeys.values()].map((key) => ({ ...key }));
  }

  /** Every join token, newest first (the verifiers only; secrets are never kept). */
  joinTokens(): JoinTokenRecord[] {
    return [...this.data.joinTokens.values()]
      .sort((a, b) => b.createdAt - a.createdAt || compareIds(a.nodeId, b.nodeId))
      .map((token) => ({ ...token }));
  }

  joinToken(nodeId: string): JoinTokenRecord | undefined {
    const token = this.data.joinTokens.get(nodeId);
    return token && { ...token };
  }

  /** Members an admin removed, by node id. */
  memberRemoval(nodeId: string): MemberRemoval | undefined {
    const removal = this.data.memberRemovals.get(nodeId);
    return removal && { ...removal };
  }

  /** The latest membership changes, oldest first. */
  membershipEvents(): MembershipEvent[] {
    return this.data.membershipEvents.map((event) => ({ ...event }));
  }

  memberRemovals(): MemberRemoval[] {
    return [...this.data.memberRemovals.values()]
      .sort((a, b) => compareIds(a.nodeId, b.nodeId))
      .map((removal) => ({ ...removal }));
  }

  /** A setting as stored; undefined when it was never set. */
  getSetting(key: string): string | undefined {
    return this.data.settings.get(key);
  }

  /** Every stored setting, sorted by key. */
  allSettings(): Record<string, string> {
    return Object.fromEntries([...this.data.settings].sort(([a], [b]) => compareIds(a, b)));
  }

  /** The value in force for a setting the control plane reads: stored, or its default. */
  setting(key: KnownSetting): string {
    return effectiveSetting(this.data.settings, key);
  }

  /** Every server, sorted by id. */
  servers(): ServerView[] {
    return [...this.data.servers.values()]
      .sort((a, b) => compareIds(a.id, b.id))
      .map((server) => copyServer(server, this.data.liveConfigCountOfServer(server.id)));
  }

  server(serverId: string): ServerView | undefined {
    const server = this.data.servers.get(serverId);
    return server && copyServer(server, this.data.liveConfigCountOfServer(serverId));
  }

  /** Users in the order they joined, `limit` from `offset`. */
  users(page: { offset?: number; limit?: number } = {}): UserPage {
    const offset = Math.max(0, page.offset ?? 0);
    const limit = Math.max(0, page.limit ?? 50);
    const users: User[] = [];
    let position = 0;
    for (const user of this.data.users.values()) {
      if (users.length >= limit) break;
      if (position++ >= offset) users.push(copyUser(user));
    }
    return { users, total: this.data.users.size };
  }

  /** Users waiting for an admin's approval or for an invite, in the order they joined. */
  pendingUsers(): User[] {
    const pending: User[] = [];
    for (const user of this.data.users.values())
      if (user.status === "pending") pending.push(copyUser(user));
    return pending;
  }

  user(userId: string): User | undefined {
    const user = this.data.users.get(userId);
    return user && copyUser(user);
  }

  /** Active admins' ids, sorted. */
  activeAdminIds(): string[] {
    return this.data.activeAdminIds();
  }

  /** Every config a user ever had, live or not, oldest first. Never another user's. */
  configsOfUser(userId: string): Config[] {
    return this.data.configIdsOfUser(userId).map((id) => copyConfig(this.data.configs.get(id)!));
  }

  config(configId: string): Config | undefined {
    const config = this.data.configs.get(configId);
    return config && copyConfig(config);
  }

  /** A server's live configs, sorted by id. */
  liveConfigsOfServer(serverId: string): Config[] {
    return this.data
      .liveConfigIdsOfServer(serverId)
      .map((id) => copyConfig(this.data.configs.get(id)!));
  }

  /** A user's traffic account this period, if they have one. */
  userTraffic(userId: string): UserTraffic | undefined {
    const account = this.data.traffic.users.get(userId);
    return account && { ...account };
  }

  /** A config's traffic counter, if its server ever reported one. */
  configTraffic(configId: string): ConfigTraffic | undefined {
    const counter = this.data.traffic.configs.get(configId);
    return counter && { ...counter };
  }

  /** When the current traffic period started; null before the leader started the first one. */
  trafficPeriodStart(): number | null {
    return this.data.traffic.periodStart === 0 ? null : this.data.traffic.periodStart;
  }

  /** When the server's last traffic report was accepted (its own `at`), if ever. */
  trafficReportedAt(serverId: string): number | undefined {
    return this.data.traffic.serverReportedAt.get(serverId);
  }

  /** A user's usage, quota and reset date at `nowMs` (see traffic-usage.ts). */
  trafficUsage(userId: string, nowMs: number): TrafficUsage {
    return trafficUsageOf(this, userId, nowMs);
  }

  /**
   * The peers a server's WireGuard interface must have: one per live config
   * (but those of users suspended for traffic), sorted by config id, then the ban-check probe peer when there is one,
   * then one peer per vantage probe that has its own key (by vantage id).
   */
  desiredPeers(serverId: string): ServerPeer[] {
    const peers: ServerPeer[] = [];
    for (const id of this.data.liveConfigIdsOfServer(serverId)) {
      const config = this.data.configs.get(id)!;
      // Added once the leader has sealed its preshared key to this server, a moment after
      // issue. Shadowsocks configs never have one: they are no WireGuard peers.
      if (config.serverPresharedKeySealed === null) continue;
      if (this.data.traffic.isSuspended(config.userId)) continue;
      peers.push({
        publicKey: config.clientPublicKey,
        presharedKeySealed: config.serverPresharedKeySealed,
        address: config.address,
        kind: "client",
      });
    }
    const probePeer = this.data.servers.get(serverId)?.probePeer;
    if (probePeer)
      peers.push({
        publicKey: probePeer.publicKey,
        presharedKeySealed: null,
        address: probePeer.address,
        kind: "probe",
      });
    const vantages = [...this.data.vantageProbes.values()].sort((a, b) => compareIds(a.id, b.id));
    for (const vantage of vantages)
      if (vantage.probePublicKey !== null)
        peers.push({
          publicKey: vantage.probePublicKey,
          presharedKeySealed: null,
          address: null,
          kind: "probe",
        });
    return peers;
  }

  /** A user's subscription (token digest and sealed token). */
  subscriptionOf(userId: string): Subscription | undefined {
    const subscription = this.data.subscriptions.get(userId);
    return subscription && { ...subscription };
  }

  /** The user whose current subscription token has this SHA-256 (hex). */
  userIdOfSubscriptionDigest(tokenSha256: string): string | undefined {
    return this.data.userIdOfSubscriptionDigest(tokenSha256);
  }

  /** A user's live configs, sorted by id. */
  liveConfigsOfUser(userId: string): Config[] {
    return this.data
      .liveConfigIdsOfUser(userId)
      .map((id) => copyConfig(this.data.configs.get(id)!));
  }

  /**
   * The Shadowsocks ports a server must serve: one per live Shadowsocks
   * config whose password the leader has sealed to this server (but those of
   * users suspended for traffic), by config id, and the ban checks' probe
   * port (id and context `shadowsocks-probe`).
   */
  desiredShadowsocksPorts(serverId: string): ServerShadowsocksPort[] {
    const ports: ServerShadowsocksPort[] = [];
    const probe = this.data.servers.get(serverId)?.shadowsocksProbe;
    if (probe)
      ports.push({
        configId: SHADOWSOCKS_PROBE_CONTEXT,
        port: probe.port,
        method: probe.method,
        passwordSealed: probe.passwordSealedToServer,
        sealedFor: SHADOWSOCKS_PROBE_CONTEXT,
      });
    for (const id of this.data.liveConfigIdsOfServer(serverId)) {
      const config = this.data.configs.get(id)!;
      if (config.shadowsocks?.passwordSealed == null) continue;
      if (this.data.traffic.isSuspended(config.userId)) continue;
      ports.push({
        configId: config.id,
        port: config.shadowsocks.port,
        method: config.shadowsocks.method,
        passwordSealed: config.shadowsocks.passwordSealed,
        sealedFor: config.clientPublicKey,
      });
    }
    return ports;
  }

  /** Configs still holding the delivery copy of their keys, sorted by id. */
  configsWithDeliveryKeys(): Config[] {
    return this.data
      .configIdsWithDeliveryKeys()
      .map((id) => copyConfig(this.data.configs.get(id)!));
  }

  /** Live configs whose preshared key is not sealed to their server yet, sorted by id. */
  configsWithoutServerCopy(): Config[] {
    return this.data
      .configIdsWithoutServerCopy()
      .map((id) => copyConfig(this.data.configs.get(id)!));
  }

  /** Every value sealed under the data keys, for rotation. */
  sealedSecrets(): SealedSecret[] {
    return [...sealedSecrets(this.data)];
  }

  /**
   * The live configs a ban of this server would re-home, sorted: whoever
   * proposes the ban generates one set of replacement keys per id, in order.
   */
  replacementKeysNeeded(serverId: string): string[] {
    return this.data.liveConfigIdsOfServer(serverId);
  }

  invites(): Invite[] {
    return [...this.data.invites.values()].map(copyInvite);
  }

  invite(code: string): Invite | undefined {
    const invite = this.data.invites.get(code);
    return invite && copyInvite(invite);
  }

  /** Vantage probes, sorted by id. Tokens stay encrypted. */
  vantageProbes(): VantageProbe[] {
    return [...this.data.vantageProbes.values()]
      .sort((a, b) => compareIds(a.id, b.id))
      .map(copyVantageProbe);
  }

  /** Notifications still to deliver, oldest first. */
  pendingOutbox(limit?: number): OutboxEntry[] {
    return [...this.data.outbox.pending(limit)].map(copyOutboxEntry);
  }

  outboxEntry(id: string): OutboxEntry | undefined {
    const entry = this.data.outbox.entries.get(id);
    return entry && copyOutboxEntry(entry);
  }

  /** The broadcast a `broadcast` outbox entry refers to. */
  broadcast(broadcastId: string): Broadcast | undefined {
    const found = this.data.broadcasts.get(broadcastId);
    return found && { ...found };
  }

  counts(): StateCounts {
    let bannedServers = 0;
    for (const server of this.data.servers.values())
      if (server.status === "banned") bannedServers++;
    return {
      servers: this.data.servers.size,
      bannedServers,
      users: this.data.users.size,
      liveConfigs: this.data.liveConfigCount(),
      pendingOutbox: this.data.outbox.pendingCount,
    };
  }

  /**
   * Whether a Telegram update's effect was committed already (or the update
   * is too old to tell, which counts as handled: it is never acted on again).
   */
  wasUpdateHandled(updateId: number): boolean {
    return this.data.handledUpdates.lookup(updateId).kind !== "new";
  }

  /**
   * How many messages of its reply to a handled update the bot sent (this
   * leader or a former one); 0 when none are recorded. A re-delivery of the
   * update sends only the rest.
   */
  repliesSent(updateId: number): number {
    return this.data.handledUpdates.repliesSent(updateId);
  }

  /** The highest Telegram update id handled; the bot polls from the next one. */
  updateOffset(): number {
    return this.data.handledUpdates.offset;
  }

  /** The backup passphrase's key check; null until an admin sets a passphrase. */
  backupPassphrase(): BackupPassphrase | null {
    return this.data.backupPassphrase && { ...this.data.backupPassphrase };
  }

  /** The latest backup schedule slot a leader claimed; null before the first. */
  lastBackupSlot(): number | null {
    return this.data.lastBackupSlot;
  }

  /** What a backup of this state holds (backup-content.ts), in the snapshot format, with its counts. */
  backupContent(): { content: string; counts: BackupCounts } {
    return backupContentOf(this.data);
  }

  /** The hash of the parts a restore brings back (backup-content.ts). */
  restoredPartsHash(): string {
    return restoredPartsHash(this.data);
  }

  /** The whole state in the compact, versioned format of snapshot-codec.ts. */
  snapshot(): string {
    return encodeSnapshot(this.data);
  }

  /** Replaces the whole state with a snapshot; on a bad snapshot throws and keeps the current state. */
  restore(data: string): void {
    this.data = decodeSnapshot(data);
    this.nodeKeyChanges++;
    this.peerChanges++;
  }

  /**
   * Grows whenever a server's peers may have changed: the VPN agent resyncs
   * its interface then, and not after every setting or load report.
   */
  get peerGeneration(): number {
    return this.peerChanges;
  }

  /** Grows whenever the pinned or revoked identity keys may have changed: a cue to recheck connections. */
  get nodeKeyGeneration(): number {
    return this.nodeKeyChanges;
  }

  /**
   * SHA-256 of the snapshot, in hex. The snapshot lists every record in a
   * fixed field order and in the order every node shares, so equal states
   * hash equally; tests compare nodes with it.
   */
  stateHash(): string {
    return createHash("sha256").update(this.snapshot()).digest("hex");
  }
}
