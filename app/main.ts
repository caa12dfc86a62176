/**
 * The node process: environment -> Redis -> Raft node -> peers and HTTP.
 * Exit codes: 2 bad configuration (or a refused join token), 3 Redis would
 * lose acknowledged writes, 4 the node was removed from the cluster, 1 an
 * unexpected failure.
 */
import { resolve } from "node:path";
import type { Redis } from "ioredis";
import { askVantageProbe } from "../bot/jobs/vantage-probe-client.ts";
import { AddressDiscovery, observedAddressAnswer } from "../cluster/address-discovery.ts";
import { createVpnDriver, serverKeyFile } from "../cluster/agent/create-driver.ts";
import { createShadowsocksDriver } from "../cluster/agent/create-shadowsocks-driver.ts";
import { loadOrCreateServerKey } from "../cluster/agent/server-key-file.ts";
import { ShadowsocksAgent } from "../cluster/agent/shadowsocks-agent.ts";
import { TrafficReporter, trafficReportState } from "../cluster/agent/traffic-reporter.ts";
import {
  shadowsocksTrafficSource,
  wireGuardTrafficSource,
} from "../cluster/agent/traffic-source.ts";
import { VpnAgent } from "../cluster/agent/vpn-agent.ts";
import { addBackupRoutes } from "../cluster/api/backup-routes.ts";
import { addClusterRoutes } from "../cluster/api/cluster-routes.ts";
import { addConfigRoutes } from "../cluster/api/config-routes.ts";
import { addDataKeyRoutes } from "../cluster/api/data-key-routes.ts";
import { addMemberKeyRoutes } from "../cluster/api/member-key-routes.ts";
import { addMembershipRoutes } from "../cluster/api/membership-routes.ts";
import { notLeaderAnswer } from "../cluster/api/not-leader.ts";
import { addProbeRoutes } from "../cluster/api/probe-routes.ts";
import { Router } from "../cluster/api/router.ts";
import { addServerRoutes } from "../cluster/api/server-routes.ts";
import { addSettingsRoutes } from "../cluster/api/settings-routes.ts";
import { addSubscriptionRoutes } from "../cluster/api/subscription-routes.ts";
import { addUsageRoutes } from "../cluster/api/usage-routes.ts";
import { serverKeyStatement } from "../cluster/fsm/server-key-signature.ts";
import { createNodeServer } from "../cluster/http.ts";
import { loadOrCreateNodeIdentity, type NodeIdentity } from "../cluster/identity/node-identity.ts";
import { JoinAdmission } from "../cluster/membership/join-admission.ts";
import { NodeMetrics } from "../cluster/metrics.ts";
import { StateVersionError } from "../cluster/node.ts";
import { registerServer } from "../cluster/server-registration.ts";
import { checkRedisDurability } from "../cluster/storage/durability.ts";
import { RaftLogStore } from "../cluster/storage/raft-log-store.ts";
import { connectRedis, redactUrl } from "../cluster/storage/redis-connection.ts";
import { assembleSubscriptionEndpoints } from "../cluster/subscription/assemble-subscription-endpoints.ts";
import type { SubscriptionEndpoints } from "../cluster/subscription/subscription-endpoints.ts";
import { serverSubscriptionBase } from "../cluster/subscription/subscription-links.ts";
import { PeerKeyBook } from "../cluster/transport/peer-key-book.ts";
import { PeerTransport } from "../cluster/transport/peer-transport.ts";
import { Backoff } from "../shared/backoff.ts";
import { blockedOwnAddressWarnings } from "../shared/blocked-destinations.ts";
import { loadConfigFromProcess, type NodeConfig } from "../shared/config.ts";
import { openWithWireGuardKey } from "../shared/crypto/wireguard-sealed-box.ts";
import { loadEnvFile } from "../shared/env-file.ts";
import { listen } from "../shared/http-server.ts";
import { createLogger, type Logger } from "../shared/logger.ts";
import { runProbe } from "../shared/probe/run-probe.ts";
import { EXIT_BAD_CONFIG, readFileOrExit } from "../shared/read-file-or-exit.ts";
import { sharedCredentials } from "../shared/shared-credentials.ts";
import { sleep } from "../shared/sleep.ts";
import { type AssembledNode, assembleNode } from "./assemble-node.ts";
import { prepareJoinedEnvironment } from "./join-cluster.ts";

const EXIT_VOLATILE_REDIS = 3;
/** An admin removed this node from the cluster: a supervisor must not restart it. */
const EXIT_REMOVED = 4;
/** The log holds an entry of a later state version: only an upgrade lets the node go on. */
const EXIT_NEEDS_UPGRADE = 5;

/** Connects to Redis, retrying with back-off for as long as it takes; the node stays up meanwhile. */
async function connectUntilReady(config: NodeConfig, logger: Logger): Promise<Redis> {
  const backoff = new Backoff({ minDelayMs: 100, maxDelayMs: 2000 });
  for (let attempt = 1; ; attempt++) {
    try {
      return await connectRedis(config.redisUrl, { connectionName: `nexaloak-${config.nodeId}` });
    } catch (error) {
      if (attempt === 1 || attempt % 10 === 0) {
        logger.warn(
          { err: (error as Error).message, attempt },
          "Redis is not reachable yet; retrying",
        );
      }
      await sleep(backoff.next());
    }
  }
}

async function main(): Promise<void> {
  const envFile = loadEnvFile(resolve(".env"), process.env);
  if (!envFile.ok) {
    process.stderr.write(`${envFile.error.message}\n`);
    process.exit(EXIT_BAD_CONFIG);
  }
  const start = await prepareJoinedEnvironment(process.env, (nodeId) =>
    createLogger({ level: "info", nodeId }),
  );
  const config = loadConfigFromProcess({ withheld: start.withheld });
  const logger = createLogger({ level: config.logLevel, nodeId: config.nodeId });
  const metrics = new NodeMetrics();
  const router = new Router();
  /** Set once the node has started: from then on it serves the API and /readyz. */
  let running: AssembledNode["node"] | undefined;
  let assembled: AssembledNode | undefined;
  let agent: VpnAgent | undefined;
  let trafficReporter: TrafficReporter | undefined;
  let shadowsocksAgent: ShadowsocksAgent | undefined;
  let admission: JoinAdmission | undefined;
  let subscriptionEndpoints: SubscriptionEndpoints | undefined;
  let startupStage = "connecting to Redis";

  const tls = config.serverTls
    ? {
        cert: readFileOrExit(config.serverTls.certFile, "TLS_CERT_FILE"),
        key: readFileOrExit(config.serverTls.keyFile, "TLS_KEY_FILE"),
      }
    : undefined;
  const peerCa = config.peerCaFile ? readFileOrExit(config.peerCaFile, "TLS_CA_FILE") : undefined;

  const identity = loadIdentityOrExit(config.dataDir, logger);
  const server = createNodeServer({
    router,
    adminApiTokenSha256s: config.adminApiTokenSha256s,
    metrics,
    readiness: () => running?.readiness() ?? { ready: false, reason: startupStage },
    apiUnavailableReason: () => (running ? undefined : `the node is starting (${startupStage})`),
    notLeaderAnswer: () =>
      running && !running.leadsNow() ? notLeaderAnswer(running.status()) : undefined,
    observedAddress: (request) => observedAddressAnswer(request, config.clusterSecret, identity),
    join: async (request) => (admission ? admission.handle(request) : undefined),
    subscriptions: () => subscriptionEndpoints,
    trustedNetworks: config.trustedNetworks,
    logger,
    ...(tls ? { tls } : {}),
  });
  const keyBook = new PeerKeyBook(() => assembled?.state);
  for (const [memberId, key] of start.memberKeys)
    if (memberId !== config.nodeId) keyBook.remember(memberId, key);
  const transport = new PeerTransport({
    nodeId: config.nodeId,
    identity,
    keyBook,
    clusterSecret: config.clusterSecret,
    peers: config.peers,
    logger: logger.child({ component: "transport" }),
    onMessages: (_from, messages) => running?.receive(messages),
    events: {
      handshakeRejected: (reason) => metrics.rejectedHandshakes.inc({ reason }),
      frameRejected: (_peer, reason) => metrics.rejectedFrames.inc({ reason }),
      peerConnected: (peer) => metrics.peerConnected.set({ peer }, 1),
      peerDisconnected: (peer) => {
        metrics.peerConnected.set({ peer }, 0);
        running?.peerDisconnected(peer);
      },
      messagesDropped: (peer, count) => metrics.droppedMessages.inc({ peer }, count),
    },
    ...(peerCa ? { tls: { ca: peerCa } } : {}),
  });
  let stopping = false;
  /** Leadership handed over, then the node, the VPN agent (as `stopAgent` says), peers and HTTP. */
  const stopEverything = async (stopAgent: () => Promise<void> | undefined) => {
    await trafficReporter?.stop();
    await assembled?.stop({ gracefully: true });
    await stopAgent();
    await transport.close();
    server.close();
    server.closeAllConnections?.();
  };
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    await stopEverything(async () => {
      await agent?.stop();
      await shadowsocksAgent?.stop();
    });
    logger.info("stopped");
    process.exit(0);
  };
  /** An admin removed this node: hand leadership over, take the VPN interface down, and end. */
  const leaveRemoved = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    logger.warn({ reason }, "this node was removed from the cluster; stopping for good");
    await stopEverything(async () => {
      await agent?.retire();
      await shadowsocksAgent?.stop();
    });
    process.stderr.write(
      `This node (${config.nodeId}) was removed from the cluster (${reason}). Its users were moved and its VPN interface is gone. To serve again, install it afresh with a new join token.\n`,
    );
    process.exit(EXIT_REMOVED);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));

  transport.attach(server);
  await listen(server, config.listen.host, config.listen.port);
  const scheme = tls ? "https" : "http";
  logger.info({ url: `${scheme}://${config.listen.host}:${config.listen.port}` }, "node listening");

  const redis = await connectUntilReady(config, logger);
  const durability = await checkRedisDurability(redis);
  if (!durability.ok) {
    if (durability.error.code === "REDIS_NOT_DURABLE" && !config.allowVolatileRedis) {
      logger.fatal({ redis: redactUrl(config.redisUrl) }, durability.error.message);
      process.stderr.write(`${durability.error.message}\n`);
      process.exit(EXIT_VOLATILE_REDIS);
    }
    logger.warn(
      { redis: redactUrl(config.redisUrl) },
      `RUNNING ON A REDIS THAT CAN LOSE ACKNOWLEDGED WRITES (ALLOW_VOLATILE_REDIS=1): ${durability.error.message}`,
    );
  }

  startupStage = "preparing the VPN driver";
  const driver = await createVpnDriver(config, logger.child({ component: "vpn" }));
  const serverPublicKey = await driver.serverPublicKey();
  if (!serverPublicKey.ok) {
    logger.fatal({ code: serverPublicKey.error.code }, serverPublicKey.error.message);
    process.stderr.write(`${serverPublicKey.error.message}\n`);
    process.exit(1);
  }
  // The server's own key pair opens the preshared keys sealed to it.
  const serverKeys = await loadOrCreateServerKey(serverKeyFile(config));
  if (!serverKeys.ok) {
    logger.fatal({ code: serverKeys.error.code }, serverKeys.error.message);
    process.stderr.write(`${serverKeys.error.message}\n`);
    process.exit(1);
  }
  startupStage = "loading the Raft log";
  let checkedKeyGeneration = 0;
  let syncedPeerGeneration = -1;
  const store = new RaftLogStore(redis, config.redisPrefix, {
    onWriteLatencyMs: () => undefined,
  });
  const queueRedis = { url: config.redisUrl, prefix: `${config.redisPrefix}bull` };
  // A node that joined must never found a cluster of its own: it starts with
  // an empty log and learns the membership from the leader.
  const initialMembers = start.joined
    ? new Map([...config.peers].filter(([id]) => id !== config.nodeId))
    : config.peers;
  const node = assembleNode({
    id: config.nodeId,
    initialMembers,
    heartbeatMs: config.heartbeatMs,
    electionTimeoutMs: config.electionTimeoutMs,
    snapshotEveryEntries: config.snapshotEveryEntries,
    store,
    send: (messages) => {
      // The node hands over a whole Ready at once: nothing to gain from waiting.
      transport.send(messages);
      transport.flush();
    },
    onMembersChanged: (members) => {
      // The founding PEERS stay dialable until membership says otherwise.
      transport.setPeers(new Map([...members]));
    },
    onApplied: () => {
      const removal = assembled?.state.memberRemoval(config.nodeId);
      if (removal) void leaveRemoved(removal.reason);
      const peers = assembled?.state.peerGeneration ?? 0;
      if (peers !== syncedPeerGeneration) {
        syncedPeerGeneration = peers;
        agent?.notifyStateChanged();
        shadowsocksAgent?.notifyStateChanged();
      }
      const generation = assembled?.state.nodeKeyGeneration ?? 0;
      if (generation !== checkedKeyGeneration) {
        checkedKeyGeneration = generation;
        transport.recheckKeys();
      }
    },
    // The node has stopped (a bug, corrupt state, or an entry of a later
    // release, logged): rather than serve a diverged state, end the process
    // for its supervisor to see.
    onFatal: (error) => process.exit(error instanceof StateVersionError ? EXIT_NEEDS_UPGRADE : 1),
    dataKeys: config.dataKeys,
    subscriptionBaseUrl: (current) =>
      config.subscriptionBaseUrl ??
      serverSubscriptionBase(current, config.nodeId, tls ? "https" : "http"),
    identityPinning: { publicKey: identity.publicKey, unpinnedPeerKeys: () => keyBook.unpinned() },
    logger,
    metrics,
    banChecks: {
      probing: { probe: runProbe, askVantage: askVantageProbe },
      settings: config.banChecks,
      schedule: config.banChecks.schedule,
      concurrency: config.banChecks.concurrency,
      queueRedis,
    },
    ...(config.botToken
      ? {
          bot: {
            token: config.botToken,
            apiRoot: config.telegramApiRoot,
            ...(config.telegramProxy ? { proxyUrl: config.telegramProxy } : {}),
            bootstrapAdminIds: config.adminIds,
            initialAccessMode: config.accessMode,
            backupSchedule: config.backupSchedule,
          },
        }
      : {}),
  });
  assembled = node;
  const { service, state, sealing } = node;
  agent = new VpnAgent({
    driver,
    serverId: config.nodeId,
    readDesiredState: () => {
      const server = state.server(config.nodeId);
      if (!server) return null;
      const prefix = server.subnet.split("/")[1];
      return {
        interfaceAddress: `${server.tunnelAddress}/${prefix}`,
        peers: state.desiredPeers(config.nodeId),
      };
    },
    openPresharedKey: (sealed, peerPublicKey) =>
      openWithWireGuardKey(serverKeys.value, peerPublicKey, sealed),
    reportLoad: async (load) => {
      await service.run({
        type: "reportServerLoad",
        serverId: config.nodeId,
        activePeers: load.activePeers,
        rxBytes: load.receivedBytes,
        txBytes: load.sentBytes,
        at: service.now(),
      });
    },
    logger: logger.child({ component: "vpn" }),
  });
  const shadowsocksDriver = createShadowsocksDriver(
    config,
    logger.child({ component: "shadowsocks" }),
  );
  for (const warning of blockedOwnAddressWarnings({
    blocked: config.blockedDestinations,
    publicHost: config.publicHost,
    clientDns: config.clientDns,
    servesShadowsocks: shadowsocksDriver !== undefined,
  }))
    logger.warn(warning);
  if (shadowsocksDriver)
    shadowsocksAgent = new ShadowsocksAgent({
      driver: shadowsocksDriver,
      serverId: config.nodeId,
      readDesiredPorts: () =>
        state.server(config.nodeId) ? state.desiredShadowsocksPorts(config.nodeId) : null,
      // Passwords are sealed to this server's WireGuard key, like its preshared keys.
      openPassword: (sealed, sealedFor) =>
        openWithWireGuardKey(serverKeys.value, sealedFor, sealed),
      logger: logger.child({ component: "shadowsocks" }),
    });
  trafficReporter = new TrafficReporter({
    sources: [
      wireGuardTrafficSource(driver),
      ...(shadowsocksAgent ? [shadowsocksTrafficSource(shadowsocksAgent)] : []),
    ],
    readState: () => trafficReportState(state, config.nodeId),
    propose: async (counters, at) => {
      await service.run({ type: "reportTraffic", serverId: config.nodeId, counters, at });
    },
    logger: logger.child({ component: "traffic" }),
  });
  await node.start();
  addClusterRoutes(router, node.node, () => state.membershipEvents());
  addSettingsRoutes(router, node.node, state);
  addServerRoutes(router, service, node.banChecks!);
  addConfigRoutes(router, service);
  addUsageRoutes(router, service);
  addProbeRoutes(router, service);
  addMemberKeyRoutes(router, service);
  addDataKeyRoutes(router, service, sealing);
  addMembershipRoutes(router, node.membership, service);
  addBackupRoutes(router, node.backups);
  addSubscriptionRoutes(router, node.subscriptions);
  subscriptionEndpoints = assembleSubscriptionEndpoints({
    selfId: config.nodeId,
    identity,
    serverKeys: serverKeys.value,
    service,
    memberUrls: () => node.node.memberUrls(),
    logger: logger.child({ component: "subscriptions" }),
  });
  admission = new JoinAdmission({
    node: node.node,
    service,
    identity,
    credentials: () => sharedCredentials(process.env, config.adminApiTokenSha256s),
    logger: logger.child({ component: "join" }),
  });
  running = node.node;
  transport.start();
  agent.start();
  trafficReporter.start();
  shadowsocksAgent?.start();
  if (!config.botToken)
    logger.info("BOT_TOKEN is not set: the Telegram bot is off on this node; everything else runs");
  if (config.dataKeys.length === 0)
    logger.info(
      "DATA_KEYS is not set (the cluster gives it only to voter candidates): this node serves its VPN server and never leads",
    );
  logger.info({ peers: [...config.peers.keys()], vpnDriver: config.vpnDriver }, "node started");

  const discovery = config.publicHost
    ? undefined
    : new AddressDiscovery({
        serverId: config.nodeId,
        clusterSecret: config.clusterSecret,
        peers: () => node.node.memberUrls(),
        service,
        localAddress: config.outboundAddress,
        intervalMs: 30_000,
        logger: logger.child({ component: "address" }),
      });
  void registerServer(
    service,
    {
      serverId: config.nodeId,
      publicKey: serverPublicKey.value,
      listenPort: config.wireguardPort,
      apiPort: config.listen.port,
      endpointHost: config.publicHost ?? null,
      capacity: config.serverCapacity,
      region: config.serverRegion,
      identitySignature: identity
        .sign(serverKeyStatement(config.nodeId, serverPublicKey.value))
        .toString("base64url"),
      mtu: config.wireguardMtu,
      clientDns: [...config.clientDns],
      protocols: [...config.protocols],
      holdsBotToken: config.botToken !== undefined,
      holdsDataKeys: config.dataKeys.length > 0,
      // Ban checks handshake with real WireGuard as this server's probe peer, and
      // request through its Shadowsocks probe port when ss-manager serves Shadowsocks
      // (a dry run serves nothing, which the control would see as the server down).
      probes: [
        ...(config.vpnDriver === "wireguard" ? (["wireguard"] as const) : []),
        ...(config.shadowsocks?.driver === "ss-manager" ? (["shadowsocks"] as const) : []),
      ],
      ...(config.shadowsocks
        ? {
            shadowsocks: {
              firstPort: config.shadowsocks.firstPort,
              lastPort: config.shadowsocks.lastPort,
              method: config.shadowsocks.method,
            },
          }
        : {}),
    },
    logger,
    () => stopping,
  ).then((registered) => {
    if (registered) discovery?.start();
  });
}

/** This node's identity from DATA_DIR (created on the first start); exits 1 when it is unusable. */
function loadIdentityOrExit(dataDir: string, logger: Logger): NodeIdentity {
  const loaded = loadOrCreateNodeIdentity(dataDir);
  if (!loaded.ok) {
    logger.fatal({ code: loaded.error.code }, loaded.error.message);
    process.stderr.write(`${loaded.error.message}\n`);
    process.exit(1);
  }
  const { identity, created, file } = loaded.value;
  logger.info(
    { publicKey: identity.publicKey, file },
    created ? "created this node's identity key" : "loaded this node's identity key",
  );
  return identity;
}

main().catch((error: unknown) => {
  if (error instanceof StateVersionError) {
    // Its own stored snapshot is of a later release (say, after a downgrade).
    process.stderr.write(`${error.message}\n`);
    process.exit(EXIT_NEEDS_UPGRADE);
  }
  process.stderr.write(`nexaloak node failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
