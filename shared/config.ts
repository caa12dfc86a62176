import { createHash } from "node:crypto";
import { resolve } from "node:path";
import type { CronSchedule } from "./cron-schedule.ts";
import type { DataKey } from "./crypto/data-keys.ts";
import { loadEnvFile } from "./env-file.ts";
import {
  type EnvName,
  type EnvValues,
  type EnvVariable,
  envNames,
  envVariables,
  type InitialAccessMode,
  type WhenUnset,
} from "./env-variables.ts";
import type { HostPort } from "./host-port.ts";
import type { LogLevel } from "./logger.ts";
import { inPortRange } from "./port-range.ts";
import type { OfferedProtocol } from "./protocol-list.ts";
import { quote } from "./quote.ts";
import { err, ok, type Result } from "./result.ts";
import type { ShadowsocksMethod } from "./shadowsocks-method.ts";
import type { TrustedNetworks } from "./trusted-networks.ts";

/** Everything a node needs to know at start, validated, with units in the names. */
export interface NodeConfig {
  readonly nodeId: string;
  /** Where the node's one HTTP port listens. */
  readonly listen: HostPort;
  /** The initial cluster, this node included: node id -> `ws://host:port` or `wss://host:port`. */
  readonly peers: ReadonlyMap<string, string>;
  readonly redisUrl: string;
  /** Prefix of every Redis key this node writes. */
  readonly redisPrefix: string;
  readonly clusterSecret: string;
  /** The keys that seal secrets in the replicated state, the sealing key first. */
  readonly dataKeys: readonly DataKey[];
  /** SHA-256 (hex) of the admin API token: all the node keeps of it. */
  readonly adminApiTokenSha256s: readonly string[];
  readonly logLevel: LogLevel;
  readonly heartbeatMs: number;
  /** Lower bound of the randomized election timeout, which lies in [electionTimeoutMs, 2 x electionTimeoutMs). */
  readonly electionTimeoutMs: number;
  /** Run on a Redis that can lose acknowledged writes; development only. */
  readonly allowVolatileRedis: boolean;
  /** When set, the node serves HTTPS and wss:// with this certificate and key. */
  readonly serverTls: { readonly certFile: string; readonly keyFile: string } | undefined;
  /** CA that peers' certificates are verified against; undefined means the system's CAs. */
  readonly peerCaFile: string | undefined;
  readonly snapshotEveryEntries: number;
  readonly vpnDriver: "dry-run" | "wireguard";
  readonly wireguardInterface: string;
  readonly wireguardPort: number;
  /** MTU of the WireGuard interface and of this server's client configs. */
  readonly wireguardMtu: number;
  /** Resolvers named in this server's client configs. */
  readonly clientDns: readonly string[];
  /** Whether this server's clients may reach each other through it. */
  readonly allowClientToClient: boolean;
  /** Networks no VPN client may reach through this server (BLOCKED_DESTINATIONS), `address/prefix` each. */
  readonly blockedDestinations: readonly string[];
  /** What this server offers new configs (PROTOCOLS). */
  readonly protocols: readonly OfferedProtocol[];
  /** How it serves Shadowsocks; undefined unless PROTOCOLS has shadowsocks. */
  readonly shadowsocks:
    | {
        readonly firstPort: number;
        readonly lastPort: number;
        readonly method: ShadowsocksMethod;
        readonly driver: "ss-manager" | "dry-run";
        readonly listenHost: string;
      }
    | undefined;
  /** Where clients connect; undefined means learned from the peers. */
  readonly publicHost: string | undefined;
  /** Where subscription URLs point; undefined: a server in service. */
  readonly subscriptionBaseUrl: string | undefined;
  readonly serverCapacity: number;
  readonly serverRegion: string;
  readonly dataDir: string;
  readonly outboundAddress: string | undefined;
  /** Who sees /metrics, readiness reasons and detailed errors without the admin token. */
  readonly trustedNetworks: TrustedNetworks;
  /** The Telegram bot's token; undefined means the bot stays off on this node. */
  readonly botToken: string | undefined;
  /** The Bot API root the bot calls, without a trailing slash. */
  readonly telegramApiRoot: string;
  /** The proxy every Bot API call goes through (TELEGRAM_PROXY); undefined: straight out. */
  readonly telegramProxy: string | undefined;
  /** Telegram user ids (decimal text) made admins when they start the bot. */
  readonly adminIds: readonly string[];
  /** The access mode the cluster starts with, until an admin changes the replicated setting. */
  readonly accessMode: InitialAccessMode;
  readonly banChecks: {
    readonly schedule: CronSchedule;
    readonly banAfter: number;
    readonly downAfter: number;
    readonly probeTimeoutMs: number;
    readonly concurrency: number;
  };
  /** When admins get the scheduled backup. */
  readonly backupSchedule: CronSchedule;
}

interface Problem {
  variable: EnvName;
  /** What is wrong, never quoting the value (the formatter decides whether that is safe). */
  message: string;
}

/** Checks that involve more than one variable; each runs only when its variables parsed. */
function relationProblems(values: Partial<EnvValues>): Problem[] {
  const problems: Problem[] = [];
  const { NODE_ID: nodeId, PEERS: peers } = values;
  if (nodeId !== undefined && peers !== undefined && !peers.has(nodeId)) {
    problems.push({
      variable: "PEERS",
      message: `must include this node (NODE_ID is ${nodeId}), e.g. ${nodeId}=ws://127.0.0.1:7001`,
    });
  }
  const { HEARTBEAT_MS: heartbeatMs, ELECTION_TIMEOUT_MS: electionTimeoutMs } = values;
  // Followers must get at least two heartbeats per timeout, or one lost packet starts an election.
  if (
    heartbeatMs !== undefined &&
    electionTimeoutMs !== undefined &&
    electionTimeoutMs < 2 * heartbeatMs
  ) {
    problems.push({
      variable: "ELECTION_TIMEOUT_MS",
      message: `must be at least 2 x HEARTBEAT_MS (${2 * heartbeatMs})`,
    });
  }
  const certSet = values.TLS_CERT_FILE !== undefined;
  const keySet = values.TLS_KEY_FILE !== undefined;
  if (certSet && !keySet) {
    problems.push({ variable: "TLS_KEY_FILE", message: "is required when TLS_CERT_FILE is set" });
  }
  if (keySet && !certSet) {
    problems.push({ variable: "TLS_CERT_FILE", message: "is required when TLS_KEY_FILE is set" });
  }
  const { SS_PORTS: ssPorts, PROTOCOLS: protocols } = values;
  if (ssPorts !== undefined && protocols?.includes("shadowsocks")) {
    for (const [name, port] of [
      ["WG_PORT", values.WG_PORT],
      ["LISTEN", values.LISTEN?.port],
    ] as const)
      if (port !== undefined && inPortRange(ssPorts, port))
        problems.push({
          variable: "SS_PORTS",
          message: `must leave out the ${name} port ${port}: Shadowsocks takes every port of its range`,
        });
  }
  return problems;
}

/** An empty value means unset, so `NAME=` in a .env file leaves the default in place. */
function readRaw(env: NodeJS.ProcessEnv, name: EnvName): string | undefined {
  const raw = env[name];
  return raw === "" ? undefined : raw;
}

const longestQuotedValue = 80;

/** What the variable currently holds, for the error line; empty for secrets. */
function describeValue(name: EnvName, env: NodeJS.ProcessEnv): string {
  const variable = envVariables[name];
  const raw = readRaw(env, name);
  if (raw === undefined) {
    const whenUnset: WhenUnset = variable.whenUnset;
    return whenUnset.kind === "default" ? ` (unset, so the default ${whenUnset.raw})` : "";
  }
  if (variable.secret) return "";
  return ` (got ${quote(raw, longestQuotedValue)})`;
}

function formatProblems(problems: Problem[], env: NodeJS.ProcessEnv): string {
  const order = (problem: Problem) => envNames.indexOf(problem.variable);
  const lines = [...problems]
    .sort((a, b) => order(a) - order(b))
    .map(({ variable, message }) => {
      const { example, makeYourOwn }: EnvVariable<unknown> = envVariables[variable];
      const hint =
        makeYourOwn === undefined
          ? `Example: ${variable}=${example}`
          : `Make your own: ${makeYourOwn}`;
      return `  ${variable}: ${message}${describeValue(variable, env)}. ${hint}`;
    });
  const count = lines.length === 1 ? "1 problem" : `${lines.length} problems`;
  return [
    `Invalid configuration, ${count}. Set these environment variables (or put them in .env; see .env.example):`,
    ...lines,
  ].join("\n");
}

/**
 * Validates the node's configuration from environment variables. On failure the
 * error message lists every bad or missing variable, one per line, each with
 * what is wrong and a good example; secrets' values are never repeated.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv,
  options: { withheld?: ReadonlySet<string> } = {},
): Result<NodeConfig, "INVALID_CONFIG"> {
  const parsed: Record<string, unknown> = {};
  const problems: Problem[] = [];
  for (const name of envNames) {
    const variable = envVariables[name];
    const whenUnset: WhenUnset = variable.whenUnset;
    const raw = readRaw(env, name) ?? (whenUnset.kind === "default" ? whenUnset.raw : undefined);
    if (raw === undefined) {
      // A shared credential the cluster withheld from this joined node (it never leads).
      if (whenUnset.kind === "required" && !options.withheld?.has(name))
        problems.push({ variable: name, message: "is required" });
      else parsed[name] = undefined;
      continue;
    }
    const result = variable.schema.safeParse(raw);
    const makeYourOwn = (variable as EnvVariable<unknown>).makeYourOwn;
    // Also inside a list (a key or token being rotated in beside the published one).
    if (
      makeYourOwn !== undefined &&
      raw.split(",").some((part) => part.trim() === variable.example)
    ) {
      problems.push({
        variable: name,
        message: "is the example value published in .env.example, which anyone can read",
      });
    } else if (result.success) {
      parsed[name] = result.data;
    } else {
      const messages = new Set(result.error.issues.map((issue) => issue.message));
      problems.push({ variable: name, message: [...messages].join("; ") });
    }
  }
  // Variables that failed are absent, so the relation checks skip them.
  problems.push(...relationProblems(parsed as Partial<EnvValues>));
  if (problems.length > 0) return err("INVALID_CONFIG", formatProblems(problems, env));
  return ok(toNodeConfig(parsed as EnvValues));
}

function toNodeConfig(values: EnvValues): NodeConfig {
  const { TLS_CERT_FILE: certFile, TLS_KEY_FILE: keyFile } = values;
  return {
    nodeId: values.NODE_ID,
    listen: values.LISTEN,
    peers: values.PEERS,
    redisUrl: values.REDIS_URL,
    redisPrefix: values.REDIS_PREFIX ?? `nexaloak:${values.NODE_ID}:`,
    clusterSecret: values.CLUSTER_SECRET,
    // Absent only where the cluster withheld it: a joined member that never leads.
    dataKeys: (values.DATA_KEYS as readonly DataKey[] | undefined) ?? [],
    adminApiTokenSha256s: values.ADMIN_API_TOKEN.map(adminTokenDigest),
    logLevel: values.LOG_LEVEL,
    heartbeatMs: values.HEARTBEAT_MS,
    electionTimeoutMs: values.ELECTION_TIMEOUT_MS,
    allowVolatileRedis: values.ALLOW_VOLATILE_REDIS,
    serverTls: certFile !== undefined && keyFile !== undefined ? { certFile, keyFile } : undefined,
    peerCaFile: values.TLS_CA_FILE,
    snapshotEveryEntries: values.SNAPSHOT_EVERY_ENTRIES,
    vpnDriver: values.VPN_DRIVER,
    wireguardInterface: values.WG_INTERFACE,
    wireguardPort: values.WG_PORT,
    wireguardMtu: values.WG_MTU,
    clientDns: values.CLIENT_DNS,
    allowClientToClient: values.WG_CLIENT_TO_CLIENT,
    blockedDestinations: values.BLOCKED_DESTINATIONS,
    protocols: values.PROTOCOLS,
    shadowsocks: values.PROTOCOLS.includes("shadowsocks")
      ? {
          ...values.SS_PORTS,
          method: values.SS_METHOD,
          driver: values.SS_DRIVER,
          listenHost: values.SS_LISTEN_HOST,
        }
      : undefined,
    publicHost: values.PUBLIC_HOST,
    subscriptionBaseUrl: values.SUBSCRIPTION_BASE_URL,
    serverCapacity: values.SERVER_CAPACITY,
    serverRegion: values.SERVER_REGION,
    dataDir: values.DATA_DIR ?? `.data/${values.NODE_ID}`,
    outboundAddress: values.OUTBOUND_ADDRESS,
    trustedNetworks: values.TRUSTED_NETWORKS,
    botToken: values.BOT_TOKEN,
    telegramApiRoot: values.TELEGRAM_API_ROOT,
    telegramProxy: values.TELEGRAM_PROXY,
    adminIds: values.ADMIN_IDS ?? [],
    accessMode: values.ACCESS_MODE,
    banChecks: {
      schedule: values.BAN_CHECK_CRON,
      banAfter: values.BAN_AFTER,
      downAfter: values.DOWN_AFTER,
      probeTimeoutMs: values.PROBE_TIMEOUT_MS,
      concurrency: values.BAN_CHECK_CONCURRENCY,
    },
    backupSchedule: values.BACKUP_CRON,
  };
}

export interface LoadFromProcessOptions {
  /** The dotenv file to read; `.env` in the working directory by default. */
  envFilePath?: string;
  /** The environment to read and add the file's variables to; `process.env` by default. */
  env?: NodeJS.ProcessEnv;
  /** Required variables the cluster withheld from this joined node (JoinedStart.withheld). */
  withheld?: ReadonlySet<string>;
}

/**
 * The node's start-up configuration: reads `.env` (real environment variables
 * win over it), validates, and on any problem prints one message listing every
 * bad or missing variable to stderr and exits with code 2.
 */
export function loadConfigFromProcess(options: LoadFromProcessOptions = {}): NodeConfig {
  const env = options.env ?? process.env;
  const fileLoaded = loadEnvFile(options.envFilePath ?? resolve(".env"), env);
  const config = fileLoaded.ok
    ? loadConfig(env, options.withheld ? { withheld: options.withheld } : {})
    : fileLoaded;
  if (config.ok) return config.value;
  process.stderr.write(`${config.error.message}\n`);
  process.exit(2);
}

/** An ADMIN_API_TOKEN entry as the digest the node checks against: given as sha256:<hex>, or hashed here. */
function adminTokenDigest(value: string): string {
  if (value.startsWith("sha256:")) return value.slice("sha256:".length);
  return createHash("sha256").update(value).digest("hex");
}
