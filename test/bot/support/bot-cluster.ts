/**
 * A three-node in-memory cluster with a LeaderBot on every node, all talking
 * to one Telegram emulator: the fixture for the bot's suites. Every node has
 * a registered VPN server with a known endpoint, so configs can be issued.
 */

import type { BanCheckAssembly } from "../../../app/assemble-node.ts";
import type { ServerCheckDeps } from "../../../bot/jobs/server-probing.ts";
import type { LeaderBot, LeaderBotOptions } from "../../../bot/leader-bot.ts";
import type { ControlPlaneService } from "../../../cluster/control-plane-service.ts";
import { API_ACTOR } from "../../../cluster/fsm/actors.ts";
import { startRedisServer } from "../../../scripts/lib/redis-server.ts";
import {
  createTelegramEmulator,
  type EmulatedUser,
  type TelegramEmulator,
} from "../../../scripts/telegram-emulator/emulator.ts";
import { CronSchedule } from "../../../shared/cron-schedule.ts";
import type { DataKey } from "../../../shared/crypto/data-keys.ts";
import { generateKeyPair } from "../../../shared/crypto/wireguard-keys.ts";
import { createLogger } from "../../../shared/logger.ts";
import { sleep } from "../../../shared/sleep.ts";
import { startInMemoryCluster, type TestMember } from "../../cluster/support/in-memory-cluster.ts";

export const TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0";
/** The data keys every node of the bot suite shares. */
export const DATA_KEYS: readonly DataKey[] = [
  { id: "k1", secret: "bot-suite-data-key-0123456789abcdef0123" },
];
/** Every wait in these suites gives up after this long. */
export const WAIT_MS = 5000;

export interface BotMember extends TestMember {
  service: ControlPlaneService;
  bot: LeaderBot;
}

export interface BotClusterOptions {
  /** Region of each node's server, n1 first; default all "default". */
  regions?: string[];
  /** Which servers (by node id) also offer Shadowsocks, on ports 20000-20099. */
  shadowsocksOn?: string[];
  adminIds?: string[];
  accessMode?: "open" | "invite" | "approval";
  /** Settings stored before the bots start (e.g. configsPerUser). */
  settings?: Record<string, string>;
  userRateLimit?: LeaderBotOptions["userRateLimit"];
  /** Attach the bots only when the test says so (startBots()). */
  deferBots?: boolean;
  /** How often the leader sweeps expired configs; default a minute (never, in a test). */
  expirySweepIntervalMs?: number;
  /** When admins get the scheduled backup; none by default. */
  backupSchedule?: CronSchedule;
  /** Ban checks as a suite needs them; by default every probe succeeds and no round is due this year. */
  banChecks?: Partial<Omit<BanCheckAssembly, "queueRedis">>;
}

/** Every probe answers, no vantage is reachable: checks say `ok`. */
const healthyProbing: ServerCheckDeps = {
  probe: async () => ({ ok: true, rttMs: 1 }),
  askVantage: async () => ({
    ok: false,
    error: { code: "VANTAGE_UNREACHABLE", message: "no vantage in this suite" },
  }),
};

/** The server at `host` refuses every probe, from everywhere; the others answer, as in `healthyProbing`. */
export function probingWithServerDown(host: string): ServerCheckDeps {
  return {
    probe: async (target) =>
      target.host === host ? { ok: false, error: "connection_refused" } : { ok: true, rttMs: 3 },
    askVantage: healthyProbing.askVantage,
  };
}

/** Scheduled rounds are not part of these suites (bot/jobs/ban-checks has its own): /checknow only. */
const yearlyParsed = CronSchedule.parse("0 0 1 1 *");
if (!yearlyParsed.ok) throw new Error(yearlyParsed.error.message);
const yearly = yearlyParsed.value;

export async function startBotCluster(options: BotClusterOptions = {}) {
  const emulator: TelegramEmulator = await createTelegramEmulator({ tokens: [TOKEN] });
  // One redis-server stands in for every node's own: each node's queue has its own prefix.
  const redis = await startRedisServer({ appendonly: false });
  /** Added to the services' clock, so a test can jump days ahead. */
  const clock = { shiftMs: 0 };
  const cluster = await startInMemoryCluster(3, {
    deferLeaderWork: options.deferBots === true,
    assemble: (id) => ({
      dataKeys: DATA_KEYS,
      clock: () => Date.now() + clock.shiftMs,
      expirySweepIntervalMs: options.expirySweepIntervalMs ?? 60_000,
      banChecks: {
        probing: healthyProbing,
        settings: { banAfter: 2, downAfter: 2, probeTimeoutMs: 1000 },
        schedule: yearly,
        concurrency: 4,
        // Only /checknow: see `yearly` above.
        startsWithLeadership: false,
        ...options.banChecks,
        queueRedis: { url: redis.url, prefix: `nexaloak:${id}:bull` },
      },
      bot: {
        token: TOKEN,
        apiRoot: emulator.apiRoot,
        bootstrapAdminIds: options.adminIds ?? [],
        initialAccessMode: options.accessMode ?? "open",
        pollTimeoutSeconds: 5,
        // Delivery from the first moment, so the suites need not wait for it.
        outboxStartDelayMs: 0,
        userRateLimit: options.userRateLimit ?? { limit: 1000, timeFrameMs: 1000 },
        ...(options.backupSchedule ? { backupSchedule: options.backupSchedule } : {}),
      },
      // BOT_TEST_LOG=debug shows the nodes' logs when a suite needs explaining.
      ...(process.env.BOT_TEST_LOG
        ? { logger: createLogger({ level: process.env.BOT_TEST_LOG as "debug", nodeId: id }) }
        : {}),
    }),
  });
  const members = new Map<string, BotMember>();
  for (const member of cluster.members.values())
    members.set(member.id, {
      ...member,
      service: member.assembled.service,
      bot: member.assembled.bot!,
    });
  const leaderMember = async () => members.get((await cluster.leader()).id)!;
  const leader = await leaderMember();
  const regions = options.regions ?? [];
  let position = 0;
  for (const member of members.values()) {
    await leader.service.run({
      type: "registerServer",
      serverId: member.id,
      publicKey: generateKeyPair().publicKey,
      listenPort: 51820,
      apiPort: 7001 + position,
      endpointHost: `198.51.100.${position + 1}`,
      capacity: 10,
      region: regions[position] ?? "default",
      ...(options.shadowsocksOn?.includes(member.id)
        ? {
            protocols: ["wireguard", "shadowsocks"] as const,
            shadowsocks: { firstPort: 20000, lastPort: 20099, method: "chacha20-ietf-poly1305" },
          }
        : {}),
      at: Date.now(),
    });
    position++;
  }
  for (const [key, value] of Object.entries(options.settings ?? {}))
    await leader.service.run({ type: "setSetting", key, value, actor: API_ACTOR });

  const startBots = () => cluster.followLeadership();

  return {
    emulator,
    members,
    cluster,
    /** Moves every service's clock `ms` ahead of real time. */
    setClockShift: (ms: number) => {
      clock.shiftMs = ms;
    },
    startBots,
    leader: leaderMember,
    /** The members whose bot runs a session now. */
    activeBots: () => [...members.values()].filter((member) => member.bot.active),
    /** Waits until exactly one node runs the bot and a poll waits; returns that node. */
    async polling(): Promise<BotMember> {
      await emulator.waitForPolling(WAIT_MS);
      return cluster.waitFor(
        () => {
          const active = [...members.values()].filter((member) => member.bot.active);
          return active.length === 1 && active[0]!.node.isLeader() ? active[0] : undefined;
        },
        WAIT_MS,
        "one polling leader",
      );
    },
    async stop() {
      await cluster.stop();
      await emulator.stop();
      await redis.cleanup();
    },
  };
}

export type BotCluster = Awaited<ReturnType<typeof startBotCluster>>;

/** Runs `body` on a fresh bot cluster and stops everything whatever happens. */
export async function withBotCluster(
  body: (cluster: BotCluster) => Promise<void>,
  options: BotClusterOptions = {},
): Promise<void> {
  const cluster = await startBotCluster(options);
  try {
    await body(cluster);
  } finally {
    await cluster.stop();
  }
}

/** A user who sent /start and got the welcome (any language). */
export async function arrivedUser(
  cluster: BotCluster,
  id: number,
  profile: { first_name: string; language_code?: string } = { first_name: `User${id}` },
) {
  const user = cluster.emulator.user(id, { language_code: "en", ...profile });
  user.send("/start");
  await user.waitFor((message) => message.text?.includes(profile.first_name) === true, WAIT_MS);
  return user;
}

/** Messages in `user`'s inbox whose text or caption matches `pattern`. */
export function messagesMatching<Message extends { text?: string; caption?: string }>(
  user: { inbox(): Message[] },
  pattern: RegExp,
): Message[] {
  return user.inbox().filter((message) => pattern.test(message.text ?? message.caption ?? ""));
}

/**
 * Sends `text` as `user` and waits for the next message whose text matches
 * `pattern`; returns what was sent (its ids) and that answer.
 */
export async function ask(cluster: BotCluster, user: EmulatedUser, text: string, pattern: RegExp) {
  const before = messagesMatching(user, pattern).length;
  const sent = user.send(text);
  await cluster.cluster.waitFor(
    () => messagesMatching(user, pattern).length > before,
    WAIT_MS,
    `an answer to ${text} matching ${pattern}`,
  );
  return { sent, answer: messagesMatching(user, pattern).at(-1)! };
}

/** The update Telegram delivered for a command a user sent: for re-delivering it by hand. */
export function commandUpdate(
  sent: { updateId: number; messageId: number },
  from: { id: number; first_name: string; language_code?: string },
  text: string,
) {
  const command = text.split(" ")[0]!;
  return {
    update_id: sent.updateId,
    message: {
      message_id: sent.messageId,
      date: Math.floor(Date.now() / 1000),
      from: { is_bot: false, ...from },
      chat: { id: from.id, type: "private" as const, first_name: from.first_name },
      text,
      entities: [{ type: "bot_command" as const, offset: 0, length: command.length }],
    },
  };
}

/**
 * The leader's commit index once it has stopped moving for `quietMs`: the
 * replies of earlier updates are counted through Raft a moment after they go
 * out (bot/reply-progress.ts), so a test that checks "no Raft write" starts
 * from here. Gives up after WAIT_MS.
 */
export async function settledCommitIndex(
  member: { node: { status(): { commitIndex: number } } },
  quietMs = 300,
): Promise<number> {
  const deadline = Date.now() + WAIT_MS;
  let index = member.node.status().commitIndex;
  let quietSince = Date.now();
  while (Date.now() < deadline) {
    await sleep(50);
    const now = member.node.status().commitIndex;
    if (now !== index) {
      index = now;
      quietSince = Date.now();
    } else if (Date.now() - quietSince >= quietMs) return index;
  }
  throw new Error(`the commit index kept moving for ${WAIT_MS} ms`);
}
