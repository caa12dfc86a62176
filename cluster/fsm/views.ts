/**
 * Copies of records for queries and command results: callers may keep or
 * change them freely without touching replicated state.
 *
 * Every copy lists its fields explicitly, in one fixed order. Results of
 * Telegram updates are stored as JSON for dedupe, and that JSON is part of
 * the state hash; spreading a record would make it depend on how the record
 * was built (applied, or decoded from a snapshot).
 */

import { copyHourly } from "./hourly-history.ts";
import type {
  AmneziaParams,
  CheckResult,
  Config,
  Invite,
  OutboxEntry,
  Server,
  User,
  VantageProbe,
} from "./records.ts";

/** A server as queries show it: its record plus how many live configs it carries. */
export interface ServerView extends Server {
  liveConfigs: number;
}

/** Copies AmneziaWG parameters. */
export function copyAmnezia(params: AmneziaParams): AmneziaParams {
  const { jc, jmin, jmax, s1, s2, h1, h2, h3, h4 } = params;
  return { jc, jmin, jmax, s1, s2, h1, h2, h3, h4 };
}

/** Copies one recorded verdict. */
export function copyCheckResult(result: CheckResult): CheckResult {
  return { round: result.round, verdict: result.verdict, evidence: result.evidence, at: result.at };
}

/** Copies a server, with its live config count. */
export function copyServer(server: Server, liveConfigs: number): ServerView {
  const { load, probePeer, checks } = server;
  return {
    id: server.id,
    publicKey: server.publicKey,
    listenPort: server.listenPort,
    apiPort: server.apiPort,
    endpointHost: server.endpointHost,
    subnet: server.subnet,
    tunnelAddress: server.tunnelAddress,
    capacity: server.capacity,
    region: server.region,
    amnezia: server.amnezia ? copyAmnezia(server.amnezia) : null,
    protocols: [...server.protocols],
    shadowsocks: server.shadowsocks
      ? {
          firstPort: server.shadowsocks.firstPort,
          lastPort: server.shadowsocks.lastPort,
          method: server.shadowsocks.method,
        }
      : null,
    mtu: server.mtu,
    clientDns: server.clientDns ? [...server.clientDns] : null,
    holdsBotToken: server.holdsBotToken,
    holdsDataKeys: server.holdsDataKeys,
    probes: server.probes ? [...server.probes] : null,
    status: server.status,
    statusReason: server.statusReason,
    statusActor: server.statusActor,
    statusAt: server.statusAt,
    load: load
      ? {
          activePeers: load.activePeers,
          rxBytes: load.rxBytes,
          txBytes: load.txBytes,
          reportedAt: load.reportedAt,
        }
      : null,
    probePeer: probePeer
      ? {
          publicKey: probePeer.publicKey,
          privateKeyEncrypted: probePeer.privateKeyEncrypted,
          address: probePeer.address,
        }
      : null,
    shadowsocksProbe: server.shadowsocksProbe ? { ...server.shadowsocksProbe } : null,
    blockedProtocols: server.blockedProtocols.map((blocked) => ({
      ...blocked,
      isps: [...blocked.isps],
    })),
    checks: {
      recent: checks.recent.map(copyCheckResult),
      lastRound: checks.lastRound,
      consecutiveFiltered: checks.consecutiveFiltered,
      consecutiveDown: checks.consecutiveDown,
      protocols: checks.protocols.map((run) => ({ ...run })),
    },
    hourly: copyHourly(server.hourly),
    registeredAt: server.registeredAt,
    liveConfigs,
  };
}

/** Copies a user. */
export function copyUser(user: User): User {
  return {
    id: user.id,
    name: user.name,
    language: user.language,
    role: user.role,
    status: user.status,
    createdAt: user.createdAt,
    invitedBy: user.invitedBy,
    preferredProtocol: user.preferredProtocol,
  };
}

/** Copies a config, sealed keys included: the bot needs the delivery copy to render the .conf. */
export function copyConfig(config: Config): Config {
  return {
    id: config.id,
    userId: config.userId,
    serverId: config.serverId,
    protocol: config.protocol,
    clientPublicKey: config.clientPublicKey,
    deliveryKeysSealed: config.deliveryKeysSealed,
    keysIssuedAt: config.keysIssuedAt,
    deliveredAt: config.deliveredAt,
    keysErasedAt: config.keysErasedAt,
    keysErasedReason: config.keysErasedReason,
    serverPresharedKeySealed: config.serverPresharedKeySealed,
    subscriptionPrivateKeySealed: config.subscriptionPrivateKeySealed,
    address: config.address,
    createdAt: config.createdAt,
    expiresAt: config.expiresAt,
    revokedAt: config.revokedAt,
    revokeReason: config.revokeReason,
    expiryWarned: config.expiryWarned,
    replacedBy: config.replacedBy,
    shadowsocks: config.shadowsocks
      ? {
          port: config.shadowsocks.port,
          method: config.shadowsocks.method,
          passwordSealed: config.shadowsocks.passwordSealed,
        }
      : null,
  };
}

/** Copies an invite. */
export function copyInvite(invite: Invite): Invite {
  return {
    code: invite.code,
    usesLeft: invite.usesLeft,
    createdBy: invite.createdBy,
    createdAt: invite.createdAt,
  };
}

/** Copies a vantage probe; its token stays encrypted. */
export function copyVantageProbe(probe: VantageProbe): VantageProbe {
  return {
    id: probe.id,
    url: probe.url,
    tokenEncrypted: probe.tokenEncrypted,
    region: probe.region,
    isp: probe.isp,
    addedBy: probe.addedBy,
    addedAt: probe.addedAt,
    probePublicKey: probe.probePublicKey,
    probePrivateKeyEncrypted: probe.probePrivateKeyEncrypted,
    certSha256: probe.certSha256,
    insecure: probe.insecure,
  };
}

/** A vantage probe as admins see it: no token and no private key, not even encrypted. */
export type VantageProbeView = Omit<VantageProbe, "tokenEncrypted" | "probePrivateKeyEncrypted">;

/** A vantage probe without its token, for listings. */
export function vantageProbeView(probe: VantageProbe): VantageProbeView {
  return {
    id: probe.id,
    url: probe.url,
    region: probe.region,
    isp: probe.isp,
    addedBy: probe.addedBy,
    addedAt: probe.addedAt,
    probePublicKey: probe.probePublicKey,
    certSha256: probe.certSha256,
    insecure: probe.insecure,
  };
}

/** Payloads are built by apply with fixed keys and survive JSON unchanged, so a shallow copy keeps their order. */
export function copyOutboxEntry(entry: OutboxEntry): OutboxEntry {
  return {
    id: entry.id,
    chatId: entry.chatId,
    kind: entry.kind,
    payload: { ...entry.payload },
    createdAt: entry.createdAt,
    status: entry.status,
    attempts: entry.attempts,
    lastError: entry.lastError,
    updatedAt: entry.updatedAt,
    notBefore: entry.notBefore,
  };
}
