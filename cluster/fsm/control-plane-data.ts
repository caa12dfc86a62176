/**
 * The control plane's state in memory: the replicated records, plus indexes
 * derived from them (rebuilt after a restore, never serialised) so that apply
 * and queries stay fast with hundreds of thousands of configs.
 *
 * Iteration order is part of determinism. Records live in Maps whose
 * insertion order every node reproduces (a snapshot keeps it); derived Sets
 * are never iterated to make a decision without sorting first.
 */
import { AddressAllocator } from "./address-allocator.ts";
import { HandledUpdates } from "./handled-updates.ts";
import { IdempotencyKeys } from "./idempotency-keys.ts";
import { type Cidr, parseCidr, parseIpv4 } from "./ipv4.ts";
import { Outbox } from "./outbox.ts";
import type { PlacementCandidate } from "./placement.ts";
import type {
  Broadcast,
  Config,
  Invite,
  JoinTokenRecord,
  KeysErasedReason,
  MemberRemoval,
  MembershipEvent,
  NodeKey,
  RevokedNodeKey,
  Server,
  ShadowsocksService,
  User,
  VantageProbe,
} from "./records.ts";
import { isLive, serverCopyOf } from "./records.ts";
import { clientAddress, FIRST_CLIENT_OFFSET, lastClientOffset } from "./subnet-layout.ts";
import { TrafficLedger } from "./traffic-ledger.ts";

/** Orders ids by UTF-16 code units: the same on every node, whatever the locale. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The mutable state apply works on; only command handlers and the snapshot codec touch it. */
export class ControlPlaneData {
  readonly settings = new Map<string, string>();
  readonly servers = new Map<string, Server>();
  readonly users = new Map<string, User>();
  readonly configs = new Map<string, Config>();
  readonly invites = new Map<string, Invite>();
  readonly vantageProbes = new Map<string, VantageProbe>();
  readonly broadcasts = new Map<string, Broadcast>();
  readonly outbox = new Outbox();
  readonly handledUpdates = new HandledUpdates();
  readonly idempotencyKeys = new IdempotencyKeys();
  /** Pinned identity keys by node id. */
  readonly nodeKeys = new Map<string, NodeKey>();
  /** Revoked identity keys by public key. */
  readonly revokedNodeKeys = new Map<string, RevokedNodeKey>();
  /** Join tokens by the node id they admit. */
  readonly joinTokens = new Map<string, JoinTokenRecord>();
  /** Members an admin removed, by node id. */
  readonly memberRemovals = new Map<string, MemberRemoval>();
  /** The latest membership changes, oldest first (see membership-event-commands.ts). */
  readonly membershipEvents: MembershipEvent[] = [];
  /** Traffic counters, usage and quotas (see traffic-commands.ts). */
  readonly traffic = new TrafficLedger();

  private readonly subnets = new Map<string, Cidr>();
  private readonly allocators = new Map<string, AddressAllocator>();
  /** Shadowsocks ports by server, for servers that offer Shadowsocks. */
  private readonly portAllocators = new Map<string, AddressAllocator>();
  private readonly liveConfigIdsByServer = new Map<string, Set<string>>();
  private readonly configIdsByUser = new Map<string, string[]>();
  private readonly liveConfigCountByUser = new Map<string, number>();
  private readonly liveConfigIdByPublicKey = new Map<string, string>();
  private readonly adminIds = new Set<string>();
  /** Configs whose delivery copy of their keys is still held. */
  private readonly configIdsHoldingKeys = new Set<string>();
  /** Live configs whose server copy of the preshared key is not sealed yet. */
  private readonly configIdsAwaitingServerCopy = new Set<string>();

  /** Whether any key of `nodeId` was ever revoked. */
  hasRevokedKeyOf(nodeId: string): boolean {
    for (const key of this.revokedNodeKeys.values()) if (key.nodeId === nodeId) return true;
    return false;
  }

  /** Adds a server that has no configs yet. */
  addServer(server: Server): void {
    this.servers.set(server.id, server);
    this.indexServer(server);
  }

  private indexServer(server: Server): void {
    const subnet = parseCidr(server.subnet);
    if (!subnet) throw new Error(`server ${server.id} has an invalid subnet ${server.subnet}`);
    this.subnets.set(server.id, subnet);
    this.allocators.set(
      server.id,
      new AddressAllocator(FIRST_CLIENT_OFFSET, lastClientOffset(subnet)),
    );
    this.liveConfigIdsByServer.set(server.id, new Set());
    this.indexShadowsocksPorts(server, []);
  }

  private indexShadowsocksPorts(server: Server, usedPorts: number[]): void {
    if (server.shadowsocks)
      this.portAllocators.set(
        server.id,
        new AddressAllocator(server.shadowsocks.firstPort, server.shadowsocks.lastPort, usedPorts),
      );
    else this.portAllocators.delete(server.id);
  }

  /** Ports of a server's live Shadowsocks configs, ascending. */
  shadowsocksPortsInUse(serverId: string): number[] {
    const ports: number[] = [];
    for (const id of this.liveConfigIdsByServer.get(serverId) ?? []) {
      const port = this.configs.get(id)!.shadowsocks?.port;
      if (port !== undefined) ports.push(port);
    }
    return ports.sort((a, b) => a - b);
  }

  /**
   * Changes how a server serves Shadowsocks. Every live Shadowsocks config's
   * port must lie in the new range (the caller checks): they keep their ports.
   */
  setShadowsocksService(server: Server, service: ShadowsocksService | null): void {
    const used = this.shadowsocksPortsInUse(server.id);
    server.shadowsocks = service;
    this.indexShadowsocksPorts(server, used);
  }

  /**
   * Takes the lowest free Shadowsocks port of a server. Placement only picks
   * a server with a free port, so none here is a bug.
   */
  takeShadowsocksPort(serverId: string): number {
    const port = this.portAllocators.get(serverId)?.take();
    if (port === undefined) throw new Error(`server ${serverId} has no free Shadowsocks port`);
    return port;
  }

  /** How many Shadowsocks ports of a server's range are free; 0 when it offers none. */
  freeShadowsocksPorts(serverId: string): number {
    const server = this.servers.get(serverId);
    const allocator = this.portAllocators.get(serverId);
    if (!server?.shadowsocks || !allocator) return 0;
    return server.shadowsocks.lastPort - server.shadowsocks.firstPort + 1 - allocator.usedCount;
  }

  subnetOf(serverId: string): Cidr {
    return this.subnets.get(serverId)!;
  }

  /** Adds a user, or records a change of an existing user's role. */
  putUser(user: User): void {
    this.users.set(user.id, user);
    if (user.role === "admin") this.adminIds.add(user.id);
    else this.adminIds.delete(user.id);
  }

  /** Active admins, sorted by id: who gets admin alerts and approval requests. */
  activeAdminIds(): string[] {
    return [...this.adminIds]
      .filter((id) => this.users.get(id)?.status === "active")
      .sort(compareIds);
  }

  /** What placement needs to know about every server, in registration order. */
  *placementCandidates(): Generator<PlacementCandidate> {
    for (const server of this.servers.values()) {
      yield {
        serverId: server.id,
        status: server.status,
        region: server.region,
        capacity: server.capacity,
        liveConfigs: this.liveConfigCountOfServer(server.id),
        endpointKnown: server.endpointHost !== null,
        protocols: server.protocols,
        freeShadowsocksPorts: this.freeShadowsocksPorts(server.id),
      };
    }
  }

  /**
   * Takes the lowest free client address of a server. Placement only picks a
   * server below its capacity, and a subnet always holds its capacity, so a
   * full subnet here is a bug.
   */
  takeAddress(serverId: string): string {
    const offset = this.allocators.get(serverId)!.take();
    if (offset === undefined) throw new Error(`server ${serverId} has no free address`);
    return clientAddress(this.subnetOf(serverId), offset);
  }

  /** Adds a config whose address (when live) was taken with `takeAddress`. */
  insertConfig(config: Config): void {
    this.configs.set(config.id, config);
    const ofUser = this.configIdsByUser.get(config.userId);
    if (ofUser) ofUser.push(config.id);
    else this.configIdsByUser.set(config.userId, [config.id]);
    if (isLive(config)) this.indexLive(config);
    this.indexKeys(config);
  }

  /**
   * Revokes a live config and frees its address (and Shadowsocks port). Its keys go with it: the
   * delivery copy is erased and the server copy dropped, since no one may
   * use them any more.
   */
  retireConfig(config: Config, at: number, reason: string, replacedBy: string | null = null): void {
    config.revokedAt = at;
    config.revokeReason = reason;
    config.replacedBy = replacedBy;
    if (config.deliveryKeysSealed !== null) this.eraseDeliveryKeys(config, at, "revoked");
    config.serverPresharedKeySealed = null;
    if (config.shadowsocks) {
      config.shadowsocks.passwordSealed = null;
      this.portAllocators.get(config.serverId)?.release(config.shadowsocks.port);
    }
    this.indexKeys(config);
    this.liveConfigIdsByServer.get(config.serverId)!.delete(config.id);
    this.liveConfigCountByUser.set(config.userId, this.liveConfigCountOfUser(config.userId) - 1);
    this.liveConfigIdByPublicKey.delete(config.clientPublicKey);
    this.allocators.get(config.serverId)!.release(this.addressOffset(config));
  }

  /** Drops a config's delivery copy of its keys, for `reason`. */
  eraseDeliveryKeys(config: Config, at: number, reason: KeysErasedReason): void {
    config.deliveryKeysSealed = null;
    config.deliveredAt = null;
    config.keysErasedAt = at;
    config.keysErasedReason = reason;
    this.indexKeys(config);
  }

  /** Gives a live config a new key pair, keeping its server and address. */
  rekeyConfig(
    config: Config,
    clientPublicKey: string,
    deliveryKeysSealed: string,
    at: number,
  ): void {
    this.liveConfigIdByPublicKey.delete(config.clientPublicKey);
    config.clientPublicKey = clientPublicKey;
    this.liveConfigIdByPublicKey.set(clientPublicKey, config.id);
    config.deliveryKeysSealed = deliveryKeysSealed;
    config.keysIssuedAt = at;
    config.deliveredAt = null;
    config.keysErasedAt = null;
    config.keysErasedReason = null;
    config.serverPresharedKeySealed = null;
    if (config.shadowsocks) config.shadowsocks.passwordSealed = null;
    this.indexKeys(config);
  }

  /** Stores a live config's server copy of its secret: its preshared key, or its Shadowsocks password. */
  setServerCopy(config: Config, sealed: string): void {
    if (config.shadowsocks) config.shadowsocks.passwordSealed = sealed;
    else config.serverPresharedKeySealed = sealed;
    this.indexKeys(config);
  }

  /** Keeps the key-custody indexes in step with a config's key fields; call after changing them. */
  indexKeys(config: Config): void {
    if (config.deliveryKeysSealed !== null) this.configIdsHoldingKeys.add(config.id);
    else this.configIdsHoldingKeys.delete(config.id);
    if (isLive(config) && serverCopyOf(config) === null)
      this.configIdsAwaitingServerCopy.add(config.id);
    else this.configIdsAwaitingServerCopy.delete(config.id);
  }

  /** Ids of configs still holding their delivery keys, sorted. */
  configIdsWithDeliveryKeys(): string[] {
    return [...this.configIdsHoldingKeys].sort(compareIds);
  }

  /** Ids of live configs whose server copy of the preshared key is not sealed yet, sorted. */
  configIdsWithoutServerCopy(): string[] {
    return [...this.configIdsAwaitingServerCopy].sort(compareIds);
  }

  liveConfigCountOfServer(serverId: string): number {
    return this.liveConfigIdsByServer.get(serverId)?.size ?? 0;
  }

  /** Ids of a server's live configs, sorted. */
  liveConfigIdsOfServer(serverId: string): string[] {
    return [...(this.liveConfigIdsByServer.get(serverId) ?? [])].sort(compareIds);
  }

  liveConfigCountOfUser(userId: string): number {
    return this.liveConfigCountByUser.get(userId) ?? 0;
  }

  /** Ids of a user's live configs, sorted. */
  liveConfigIdsOfUser(userId: string): string[] {
    return this.configIdsOfUser(userId)
      .filter((id) => isLive(this.configs.get(id)!))
      .sort(compareIds);
  }

  /** Ids of every config a user ever had, oldest first. */
  configIdsOfUser(userId: string): readonly string[] {
    return this.configIdsByUser.get(userId) ?? [];
  }

  /** The live config using this client public key, if any. */
  liveConfigIdByClientKey(publicKey: string): string | undefined {
    return this.liveConfigIdByPublicKey.get(publicKey);
  }

  /**
   * Whether a WireGuard public key is taken: by a live client, a probe peer
   * (a server's or a vantage's) or a server. Peers on one interface must have distinct keys, and keys come
   * from proposers, so apply checks rather than trusts.
   */
  publicKeyInUse(publicKey: string): boolean {
    if (this.liveConfigIdByPublicKey.has(publicKey)) return true;
    for (const server of this.servers.values()) {
      if (server.publicKey === publicKey || server.probePeer?.publicKey === publicKey) return true;
    }
    for (const probe of this.vantageProbes.values())
      if (probe.probePublicKey === publicKey) return true;
    return false;
  }

  /** How many live configs there are in all. */
  liveConfigCount(): number {
    let count = 0;
    for (const live of this.liveConfigIdsByServer.values()) count += live.size;
    return count;
  }

  /**
   * Builds the derived indexes for records loaded straight into the maps by a
   * restore. Configs are visited in their stored order, which is the order
   * they were created, so every index matches the one the original built.
   */
  indexLoadedRecords(): void {
    for (const server of this.servers.values()) this.indexServer(server);
    for (const user of this.users.values()) this.putUser(user);
    const usedOffsets = new Map<string, number[]>();
    const usedPorts = new Map<string, number[]>();
    for (const config of this.configs.values()) {
      this.indexKeys(config);
      const ofUser = this.configIdsByUser.get(config.userId);
      if (ofUser) ofUser.push(config.id);
      else this.configIdsByUser.set(config.userId, [config.id]);
      if (!isLive(config)) continue;
      this.addLiveToIndexes(config);
      const offsets = usedOffsets.get(config.serverId);
      if (offsets) offsets.push(this.addressOffset(config));
      else usedOffsets.set(config.serverId, [this.addressOffset(config)]);
      if (config.shadowsocks) {
        const ports = usedPorts.get(config.serverId);
        if (ports) ports.push(config.shadowsocks.port);
        else usedPorts.set(config.serverId, [config.shadowsocks.port]);
      }
    }
    for (const [serverId, ports] of usedPorts) {
      const server = this.servers.get(serverId)!;
      if (!server.shadowsocks)
        throw new Error(`server ${serverId} has Shadowsocks configs but offers no Shadowsocks`);
      this.indexShadowsocksPorts(server, ports);
    }
    for (const [serverId, offsets] of usedOffsets) {
      const subnet = this.subnetOf(serverId);
      this.allocators.set(
        serverId,
        new AddressAllocator(FIRST_CLIENT_OFFSET, lastClientOffset(subnet), offsets),
      );
    }
  }

  private indexLive(config: Config): void {
    const offset = this.addressOffset(config);
    if (!this.allocators.get(config.serverId)!.isUsed(offset))
      throw new Error(`config ${config.id} has an address that was not taken`);
    if (
      config.shadowsocks &&
      !this.portAllocators.get(config.serverId)?.isUsed(config.shadowsocks.port)
    )
      throw new Error(`config ${config.id} has a Shadowsocks port that was not taken`);
    this.addLiveToIndexes(config);
  }

  private addLiveToIndexes(config: Config): void {
    const onServer = this.liveConfigIdsByServer.get(config.serverId);
    if (!onServer) throw new Error(`config ${config.id} is on unknown server ${config.serverId}`);
    onServer.add(config.id);
    this.liveConfigCountByUser.set(config.userId, this.liveConfigCountOfUser(config.userId) + 1);
    this.liveConfigIdByPublicKey.set(config.clientPublicKey, config.id);
  }

  private addressOffset(config: Config): number {
    const address = parseIpv4(config.address);
    if (address === undefined) throw new Error(`config ${config.id} has an invalid address`);
    return address - this.subnetOf(config.serverId).network;
  }
}
