/**
 * The one place a node is put together: its replicated state, the Raft
 * node, the control-plane service, and the work only a leader does (expiry
 * sweeps, ban checks, the Telegram bot) under one leadership runner. The
 * process entry point (app/main.ts), the local dev cluster, the in-process
 * clusters of tests and benchmarks all build their nodes here; they differ
 * only in what they plug in: the log store, how messages travel, which
 * leader work runs.
 */
import { BanChecks } from "../bot/jobs/ban-checks.ts";
import type { QueueRedis } from "../bot/jobs/outbox-queue.ts";
import type { RecordedVerdict } from "../bot/jobs/server-checker.ts";
import { type CheckSettings, ServerChecker } from "../bot/jobs/server-checker.ts";
import type { ServerCheckDeps } from "../bot/jobs/server-probing.ts";
import { LeaderBot, type LeaderBotOptions } from "../bot/leader-bot.ts";
import { BackupService } from "../cluster/backup/backup-service.ts";
import { ConfigExpiryTask } from "../cluster/config-expiry-task.ts";
import { ConfigKeyCustodyTask } from "../cluster/config-key-custody-task.ts";
import { ControlPlaneService } from "../cluster/control-plane-service.ts";
import { type ApplyResult, ControlPlaneState } from "../cluster/fsm/control-plane.ts";
import { voterCandidatesOf } from "../cluster/fsm/settings.ts";
import { LeadershipRunner, type LeaderTask } from "../cluster/leadership-runner.ts";
import { MemberKeyPinningTask } from "../cluster/member-key-pinning-task.ts";
import { AutopilotTask } from "../cluster/membership/autopilot-task.ts";
import { FleetMembership } from "../cluster/membership/fleet-membership.ts";
import { NodeMetrics } from "../cluster/metrics.ts";
import { ClusterNode, type ClusterNodeOptions } from "../cluster/node.ts";
import { ProbeCustodyTask } from "../cluster/probe-custody-task.ts";
import { SealedSecrets } from "../cluster/sealed-secrets.ts";
import { SecretResealingTask } from "../cluster/secret-resealing-task.ts";
import {
  SubscriptionLinks,
  serverSubscriptionBase,
} from "../cluster/subscription/subscription-links.ts";
import { TrafficPeriodTask } from "../cluster/traffic-period-task.ts";
import type { CronSchedule } from "../shared/cron-schedule.ts";
import type { DataKey } from "../shared/crypto/data-keys.ts";
import type { Logger } from "../shared/logger.ts";

/** Ban checks on the leader: how to probe, when, and where the queue lives. */
export interface BanCheckAssembly {
  probing: ServerCheckDeps;
  settings: CheckSettings;
  schedule: CronSchedule;
  concurrency: number;
  /** This node's own Redis and the key prefix of its job queues. */
  queueRedis: QueueRedis;
  onVerdict?: (verdict: RecordedVerdict) => void;
  startDelayMs?: number;
  clock?: () => number;
  /** False: built (the bot's /checknow uses them) but left to the caller to add to `leadership`. */
  startsWithLeadership?: boolean;
}

/** The Telegram bot on the leader; what the assembly supplies itself is left out. */
export type BotAssembly = Omit<
  LeaderBotOptions,
  | "node"
  | "service"
  | "banChecks"
  | "membership"
  | "subscriptions"
  | "backups"
  | "electionTimeoutMs"
  | "logger"
  | "queueRedis"
>;

export interface NodeAssemblyOptions
  extends Pick<
    ClusterNodeOptions<ApplyResult>,
    | "id"
    | "initialMembers"
    | "heartbeatMs"
    | "electionTimeoutMs"
    | "snapshotEveryEntries"
    | "store"
    | "send"
    | "onMembersChanged"
    | "onApplied"
    | "onFatal"
    | "runtime"
  > {
  /** DATA_KEYS: seal probe tokens, probe keys and undelivered config keys in the replicated state. */
  dataKeys: readonly DataKey[];
  /**
   * The base of users' subscription URLs (SUBSCRIPTION_BASE_URL, or a server
   * in service); default: this node's own server's public port over http.
   */
  subscriptionBaseUrl?: (state: ControlPlaneState) => string | undefined;
  logger: Logger;
  /** Default: a registry of its own. */
  metrics?: NodeMetrics;
  /** The control plane's wall clock (commands carry the time); default Date.now. */
  clock?: () => number;
  /** How often the leader sweeps expired configs; default a minute. */
  expirySweepIntervalMs?: number;
  /** How often the leader seals, erases and re-seals keys (config-key-custody-task.ts); default 250 ms. */
  keyCustodyIntervalMs?: number;
  /** How often the leader checks whether a traffic period starts; default a minute. */
  trafficPeriodIntervalMs?: number;
  /** How often the leader's autopilot looks at the membership; default a second. */
  autopilotIntervalMs?: number;
  /** Ban checks on the leader; off when omitted. */
  banChecks?: BanCheckAssembly;
  /** The Telegram bot on the leader (needs banChecks, for /checknow); off when omitted. */
  bot?: BotAssembly;
  /**
   * This node's identity and the keys its peers proved on first contact: the
   * leader pins them in the replicated state. Omitted where no transport
   * authenticates peers (in-process test clusters).
   */
  identityPinning?: { publicKey: string; unpinnedPeerKeys: () => ReadonlyMap<string, string> };
}

export interface AssembledNode {
  readonly id: string;
  readonly node: ClusterNode<ApplyResult>;
  readonly state: ControlPlaneState;
  readonly service: ControlPlaneService;
  readonly metrics: NodeMetrics;
  readonly sealing: SealedSecrets;
  readonly banChecks: BanChecks | undefined;
  /** Backup files and the backup passphrase, for the admin API and the bot alike. */
  readonly backups: BackupService;
  /** Join tokens and member removals, for the admin API and the bot alike. */
  readonly membership: FleetMembership;
  /** Users' subscription URLs, for the admin API and the bot alike. */
  readonly subscriptions: SubscriptionLinks;
  readonly bot: LeaderBot | undefined;
  /** Runs every leader task; add() takes more. */
  readonly leadership: LeadershipRunner;
  /**
   * Follows leadership (unless `followLeadership` is false: a fixture starts
   * `leadership` later), then loads the log and starts ticking.
   */
  start(options?: { followLeadership?: boolean }): Promise<void>;
  /**
   * Ends the leader work, then the node; `gracefully` hands leadership over
   * first (a process shutting down), otherwise it stops dead.
   */
  stop(options?: { gracefully?: boolean }): Promise<void>;
}

export function assembleNode(options: NodeAssemblyOptions): AssembledNode {
  const { logger } = options;
  const metrics = options.metrics ?? new NodeMetrics();
  const state = new ControlPlaneState();
  metrics.countOutboxPendingWith(() => state.counts().pendingOutbox);
  const node = new ClusterNode<ApplyResult>({
    id: options.id,
    initialMembers: options.initialMembers,
    heartbeatMs: options.heartbeatMs,
    electionTimeoutMs: options.electionTimeoutMs,
    snapshotEveryEntries: options.snapshotEveryEntries,
    store: options.store,
    stateMachine: state,
    send: options.send,
    logger: logger.child({ component: "raft" }),
    metrics,
    mayLead: (id) => voterCandidatesOf(state.setting("voterCandidates"))?.has(id) ?? true,
    ...(options.onMembersChanged ? { onMembersChanged: options.onMembersChanged } : {}),
    ...(options.onApplied ? { onApplied: options.onApplied } : {}),
    ...(options.onFatal ? { onFatal: options.onFatal } : {}),
    ...(options.runtime ? { runtime: options.runtime } : {}),
  });
  const sealing = new SealedSecrets(options.dataKeys);
  const service = new ControlPlaneService({
    node,
    state,
    sealing,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const membership = new FleetMembership(node, service);
  const backups = new BackupService({ service, node });
  const subscriptions = new SubscriptionLinks({
    service,
    sealing,
    baseUrl:
      options.subscriptionBaseUrl ??
      ((current) => serverSubscriptionBase(current, options.id, "http")),
  });
  const tasks: LeaderTask[] = [
    new ConfigExpiryTask({
      service,
      intervalMs: options.expirySweepIntervalMs ?? 60_000,
      logger: logger.child({ component: "leader-jobs" }),
    }),
    new ConfigKeyCustodyTask({
      service,
      sealing,
      intervalMs: options.keyCustodyIntervalMs ?? 250,
      logger: logger.child({ component: "key-custody" }),
    }),
    new SecretResealingTask({
      service,
      sealing,
      intervalMs: 5_000,
      logger: logger.child({ component: "data-keys" }),
    }),
    new ProbeCustodyTask({
      service,
      sealing,
      intervalMs: 1_000,
      logger: logger.child({ component: "probes" }),
    }),
    new TrafficPeriodTask({
      service,
      intervalMs: options.trafficPeriodIntervalMs ?? 60_000,
      logger: logger.child({ component: "traffic" }),
    }),
    new AutopilotTask({
      node,
      service,
      intervalMs: options.autopilotIntervalMs ?? 1000,
      logger: logger.child({ component: "autopilot" }),
    }),
  ];
  if (options.identityPinning)
    tasks.push(
      new MemberKeyPinningTask({
        service,
        selfId: options.id,
        selfPublicKey: options.identityPinning.publicKey,
        unpinnedPeerKeys: options.identityPinning.unpinnedPeerKeys,
        logger: logger.child({ component: "identity" }),
      }),
    );
  const banChecks =
    options.banChecks && assembleBanChecks(options.banChecks, service, sealing, metrics, logger);
  if (banChecks && options.banChecks?.startsWithLeadership !== false) tasks.push(banChecks);
  let bot: LeaderBot | undefined;
  if (options.bot) {
    if (!options.banChecks || !banChecks)
      throw new Error("the bot needs ban checks (for /checknow): give banChecks too");
    bot = new LeaderBot({
      ...options.bot,
      node,
      service,
      banChecks,
      membership,
      subscriptions,
      backups,
      // The outbox delivery queue lives beside the ban-check queue, in this node's Redis.
      queueRedis: options.banChecks.queueRedis,
      electionTimeoutMs: options.electionTimeoutMs,
      logger: logger.child({ component: "bot" }),
    });
    tasks.push(bot);
  }
  const leadership = new LeadershipRunner({
    node,
    tasks,
    logger: logger.child({ component: "leadership" }),
  });
  return {
    id: options.id,
    node,
    state,
    service,
    metrics,
    sealing,
    banChecks,
    backups,
    membership,
    subscriptions,
    bot,
    leadership,
    async start(startOptions = {}) {
      // Subscribed before the node starts, so a first leadership is not missed.
      if (startOptions.followLeadership !== false) leadership.start();
      await node.start();
    },
    async stop(stopOptions = {}) {
      if (stopOptions.gracefully) {
        // Hand leadership over first: the leader work ends with it.
        await node.shutdown();
        await leadership.close();
      } else {
        await leadership.close();
        await node.stop();
      }
      await bot?.close();
    },
  };
}

function assembleBanChecks(
  options: BanCheckAssembly,
  service: ControlPlaneService,
  sealing: SealedSecrets,
  metrics: NodeMetrics,
  logger: Logger,
): BanChecks {
  const checkLogger = logger.child({ component: "ban-check" });
  return new BanChecks({
    service,
    checker: new ServerChecker({
      service,
      sealing,
      probing: options.probing,
      settings: options.settings,
      logger: checkLogger,
    }),
    schedule: options.schedule,
    concurrency: options.concurrency,
    redis: options.queueRedis,
    logger: checkLogger,
    onVerdict: (verdict) => {
      metrics.banCheckVerdicts.inc({ verdict: verdict.verdict, transition: verdict.transition });
      options.onVerdict?.(verdict);
    },
    ...(options.startDelayMs === undefined ? {} : { startDelayMs: options.startDelayMs }),
    ...(options.clock ? { clock: options.clock } : {}),
  });
}
