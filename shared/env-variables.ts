import { isIP } from "node:net";
import { z } from "zod";
import { DEFAULT_BLOCKED_DESTINATIONS, parseBlockedDestinations } from "./blocked-destinations.ts";
import { CronSchedule } from "./cron-schedule.ts";
import { parseDataKeys } from "./crypto/data-keys.ts";
import { parseHostPort } from "./host-port.ts";
import { logLevels } from "./logger.ts";
import { isValidNodeId, nodeIdRule } from "./node-id.ts";
import { parsePeerList } from "./peer-list.ts";
import { parsePortRange } from "./port-range.ts";
import { parseProtocolList } from "./protocol-list.ts";
import { err, ok, type Result } from "./result.ts";
import { DEFAULT_SHADOWSOCKS_METHOD, SHADOWSOCKS_METHODS } from "./shadowsocks-method.ts";
import { DEFAULT_TRUSTED_NETWORKS, parseTrustedNetworks } from "./trusted-networks.ts";
import { MAX_WIREGUARD_MTU, MIN_WIREGUARD_MTU } from "./wireguard-mtu.ts";

/** What happens when a variable is unset or set to the empty string. */
export type WhenUnset =
  | { kind: "required" }
  /** `raw` is validated exactly like a value the operator set. */
  | { kind: "default"; raw: string }
  /** The parsed value is `undefined`. */
  | { kind: "optional" };

/**
 * One environment variable the node reads. This table is the single
 * description of the node's configuration: `loadConfig` validates with it, and
 * `.env.example` (checked by a test) and the README follow its order and text.
 */
export interface EnvVariable<Value> {
  /** What the variable is for, in a sentence or two; its comment in `.env.example`. */
  readonly doc: string;
  /** A value that works for one local development node; shown in error messages. */
  readonly example: string;
  /** A secret's value is never repeated in error messages. */
  readonly secret: boolean;
  /**
   * For credentials: the example is published (in `.env.example` and this
   * repository), so a node refuses to run with it; error messages say how to
   * make a value of one's own instead of showing the example.
   */
  readonly makeYourOwn?: string;
  /**
   * Every member runs with the same value: a node that joins through a
   * token receives it from the cluster (cluster/membership/join-admission.ts).
   */
  readonly sharedByCluster?: boolean;
  readonly whenUnset: WhenUnset;
  /** Validates and converts a set, non-empty value; every check says what is wrong. */
  readonly schema: z.ZodType<Value, string>;
}

const required = { kind: "required" } as const;
const optional = { kind: "optional" } as const;
function defaultsTo(raw: string) {
  return { kind: "default", raw } as const;
}

/** A switch: 1/true/yes allow, 0/false/no `otherwise` (the word the error message uses). */
function yesOrNo(otherwise: string): z.ZodType<boolean, string> {
  return z.stringbool({
    truthy: ["1", "true", "yes"],
    falsy: ["0", "false", "no"],
    error: `must be 1, true or yes to allow, 0, false or no to ${otherwise}`,
  });
}

/** Adapts a parser whose error message says what is wrong into a schema. */
function parsedBy<Value>(parse: (text: string) => Result<Value>): z.ZodType<Value, string> {
  return z.string().transform((text, ctx) => {
    const parsed = parse(text);
    if (parsed.ok) return parsed.value;
    ctx.addIssue({ code: "custom", message: parsed.error.message });
    return z.NEVER;
  });
}

/** Digits only, so "1e3", "0x10" and "100ms" are refused rather than guessed at. */
function positiveInteger(unit: string): z.ZodType<number, string> {
  const rule = `must be a whole number of ${unit}, at least 1`;
  return z
    .string()
    .regex(/^\d+$/, rule)
    .transform(Number)
    .pipe(z.number().int(rule).min(1, rule).max(Number.MAX_SAFE_INTEGER, rule));
}

/**
 * `unix://` and an absolute socket path: plain characters only (the path is
 * used as written, not URL-decoded) and short enough for a socket address.
 */
const REDIS_SOCKET_URL = /^unix:\/\/\/[A-Za-z0-9._/-]{1,100}$/;

function isRedisUrl(text: string): boolean {
  if (text.startsWith("unix:")) return REDIS_SOCKET_URL.test(text);
  try {
    const url = new URL(text);
    return (url.protocol === "redis:" || url.protocol === "rediss:") && url.hostname !== "";
  } catch {
    return false;
  }
}

/** A URL of one of `protocols` with a host and nothing after it (no path, query or fragment). */
function isBareUrl(text: string, protocols: readonly string[]): boolean {
  try {
    const url = new URL(text);
    return (
      protocols.includes(url.protocol) &&
      url.hostname !== "" &&
      url.pathname.replace(/\/+$/, "") === "" &&
      url.search === "" &&
      url.hash === ""
    );
  } catch {
    return false;
  }
}

function isHttpRoot(text: string): boolean {
  return isBareUrl(text, ["http:", "https:"]);
}

/** The proxy kinds TELEGRAM_PROXY takes (socks5h: the proxy resolves the host name). */
export const TELEGRAM_PROXY_PROTOCOLS = ["socks5:", "socks5h:", "http:", "https:"] as const;

function isProxyUrl(text: string): boolean {
  return isBareUrl(text, TELEGRAM_PROXY_PROTOCOLS);
}

/** The resolvers a client config names when CLIENT_DNS is unset: Cloudflare's and Google's. */
export const DEFAULT_CLIENT_DNS: readonly string[] = ["1.1.1.1", "8.8.8.8"];
/** More resolvers than this help no client; WireGuard apps try them in order. */
const MAX_CLIENT_DNS = 4;

/** CLIENT_DNS: one to four IP addresses, comma-separated. */
function parseClientDns(text: string): Result<string[]> {
  const addresses = text.split(",").map((part) => part.trim());
  if (addresses.length > MAX_CLIENT_DNS || addresses.some((address) => isIP(address) === 0))
    return err(
      "INVALID_CLIENT_DNS",
      `must be 1-${MAX_CLIENT_DNS} IP addresses, comma-separated, e.g. 1.1.1.1,8.8.8.8`,
    );
  return ok([...new Set(addresses)]);
}

/** How new users get access: the first value of the replicated `accessMode` setting. */
export const accessModes = ["open", "invite", "approval"] as const;
export type InitialAccessMode = (typeof accessModes)[number];

/** Telegram user ids, comma-separated: positive whole numbers, kept as decimal text. */
function parseTelegramIdList(text: string): Result<string[]> {
  const ids = text
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "");
  const bad = ids.find((id) => !/^[1-9][0-9]{0,19}$/.test(id));
  if (ids.length === 0 || bad !== undefined)
    return err(
      "INVALID_ID_LIST",
      "must be Telegram user ids (positive whole numbers), comma-separated, e.g. 123456789,987654321",
    );
  return ok([...new Set(ids)]);
}

/** ADMIN_API_TOKEN: one to four tokens or sha256:<digest> entries, comma-separated. */
function parseAdminTokens(text: string): Result<string[]> {
  const entries = text.split(",").map((part) => part.trim());
  if (entries.length > 4)
    return err("INVALID_ADMIN_TOKENS", "at most 4 tokens, comma-separated (two while rotating)");
  for (const entry of entries) {
    if (entry.startsWith("sha256:")) {
      if (!/^sha256:[0-9a-f]{64}$/.test(entry))
        return err(
          "INVALID_ADMIN_TOKENS",
          "sha256: must be followed by the token's SHA-256 as 64 lowercase hex digits",
        );
    } else if (entry.length < 16) {
      return err(
        "INVALID_ADMIN_TOKENS",
        "each token must be at least 16 characters; generate one with: openssl rand -hex 24",
      );
    }
  }
  return ok(entries);
}

/** Every variable the node reads, in the order `.env.example` documents them. */
export const envVariables = {
  NODE_ID: {
    doc: "This node's id in the cluster; must be one of the ids in PEERS and never reused for another server. A node that joins with JOIN_TOKEN gets it from the cluster.",
    example: "n1",
    secret: false,
    whenUnset: required,
    schema: z.string().refine(isValidNodeId, `must be ${nodeIdRule}`),
  },
  LISTEN: {
    doc: "Address and port of the node's one HTTP port (/raft, /metrics, /healthz, /readyz, /v1). IPv6 goes in brackets: [::]:7001.",
    example: "127.0.0.1:7001",
    secret: false,
    whenUnset: required,
    schema: parsedBy(parseHostPort),
  },
  PEERS: {
    doc: "The founding cluster, this node included: comma-separated id=ws://host:port (or wss:// with TLS), the same on every founder. A node that joins with JOIN_TOKEN gets the members from the cluster.",
    example: "n1=ws://127.0.0.1:7001",
    secret: false,
    whenUnset: required,
    schema: parsedBy(parsePeerList),
  },
  JOIN_TOKEN: {
    doc: "Joins a running cluster instead of founding one: the token an admin got from /addserver or POST /v1/join-tokens. Leave NODE_ID, PEERS and the shared credentials unset: the node gets them from the cluster, keeps them in DATA_DIR and ignores the token from then on.",
    example: "nxj1.eyJuIjoibjQiLCJzIjoiLi4uIn0",
    secret: true,
    whenUnset: optional,
    schema: z
      .string()
      .regex(
        /^nxj1\.[A-Za-z0-9_-]{10,4000}$/,
        "must be a join token as /addserver gives it: nxj1. then base64url",
      ),
  },
  REDIS_URL: {
    doc: "This node's own Redis, which keeps its Raft log: unix:///path/to/redis.sock (a Unix socket: only users its file permissions admit can connect; what scripts/install.sh sets up), redis://[:password@]host:port[/db], or rediss:// for TLS.",
    example: "redis://127.0.0.1:6379",
    // The URL may carry the Redis password.
    secret: true,
    whenUnset: defaultsTo("redis://127.0.0.1:6379"),
    schema: z
      .string()
      .refine(
        isRedisUrl,
        "must be a redis:// or rediss:// URL with a host, e.g. redis://127.0.0.1:6379, or unix:// and the absolute path of Redis's socket (letters, digits and . _ / - only), e.g. unix:///run/redis/redis-server.sock",
      ),
  },
  REDIS_PREFIX: {
    doc: "Prefix of every Redis key this node writes; lets several nodes share one Redis in tests. Default: nexaloak:<NODE_ID>:",
    example: "nexaloak:n1:",
    secret: false,
    whenUnset: optional,
    schema: z
      .string()
      .regex(/^[\x21-\x7e]{1,100}$/, "must be 1-100 printable ASCII characters without spaces"),
  },
  CLUSTER_SECRET: {
    doc: "Shared by all nodes: the enrollment credential that admits a founding member's identity key on first contact. Once the cluster has pinned a member's key it is not enough to be that member, and it seals nothing, so it can be changed node by node at any time. At least 32 characters of your own: openssl rand -hex 32 (the example value is refused).",
    example: "local-dev-cluster-secret-0123456789abcdef",
    secret: true,
    sharedByCluster: true,
    makeYourOwn: "openssl rand -hex 32",
    whenUnset: required,
    schema: z
      .string()
      .min(32, "must be at least 32 characters; generate one with: openssl rand -hex 32"),
  },
  DATA_KEYS: {
    doc: "Shared by the nodes that may lead: the keys that seal secrets kept in the replicated state (probe tokens, probe keys, a config's keys until delivered), separate from every transport credential. Required on a founding node; a node that joined as no voter candidate is given none and never leads. <id>:<secret>, comma-separated; the first seals, every one listed opens. Rotate by adding a new key last on every node, then moving it first; the leader re-seals old values, GET /v1/data-keys shows when none is left under the old key, then drop it. Secrets of at least 32 characters of your own: k1:$(openssl rand -hex 32) (the example value is refused).",
    example: "k1:local-dev-data-key-0123456789abcdef0123",
    secret: true,
    sharedByCluster: true,
    makeYourOwn: "echo k1:$(openssl rand -hex 32)",
    whenUnset: required,
    schema: parsedBy(parseDataKeys),
  },
  ADMIN_API_TOKEN: {
    doc: 'Bearer token for the admin HTTP API under /v1. At least 16 characters of your own: openssl rand -hex 24 (the example value is refused). Or sha256:<hex digest of the token> (printf %s "$TOKEN" | sha256sum): the node then checks the token without holding it, so a seized server does not give it away. To rotate without downtime, list the new token beside the old one (comma-separated, at most 4) on every node, move the tools to the new one, then drop the old one.',
    example: "local-dev-admin-token-0123",
    secret: true,
    sharedByCluster: true,
    makeYourOwn: "openssl rand -hex 24",
    whenUnset: required,
    schema: parsedBy(parseAdminTokens),
  },
  LOG_LEVEL: {
    doc: `Least severe log level written to stdout: ${logLevels.join(", ")}.`,
    example: "info",
    secret: false,
    whenUnset: defaultsTo("info"),
    schema: z.enum(logLevels, `must be one of: ${logLevels.join(", ")}`),
  },
  HEARTBEAT_MS: {
    doc: "How often the leader sends heartbeats, in milliseconds; also the length of one Raft tick.",
    example: "100",
    secret: false,
    sharedByCluster: true,
    whenUnset: defaultsTo("100"),
    schema: positiveInteger("milliseconds"),
  },
  ELECTION_TIMEOUT_MS: {
    doc: "A follower that hears from no leader for a random time between ELECTION_TIMEOUT_MS and twice that starts an election, in milliseconds. At least 2 x HEARTBEAT_MS.",
    example: "1000",
    secret: false,
    sharedByCluster: true,
    whenUnset: defaultsTo("1000"),
    schema: positiveInteger("milliseconds"),
  },
  ALLOW_VOLATILE_REDIS: {
    doc: "Development only: run even if Redis can lose acknowledged writes (appendonly no, or appendfsync other than always). 1/true/yes or 0/false/no.",
    example: "false",
    secret: false,
    whenUnset: defaultsTo("false"),
    schema: yesOrNo("refuse"),
  },
  TLS_CERT_FILE: {
    doc: "PEM certificate chain; with TLS_KEY_FILE the node serves HTTPS and wss:// instead of HTTP and ws://.",
    example: "/etc/nexaloak/tls/node.crt",
    secret: false,
    whenUnset: optional,
    schema: z.string(),
  },
  TLS_KEY_FILE: {
    doc: "PEM private key for TLS_CERT_FILE; the two are set together or not at all.",
    example: "/etc/nexaloak/tls/node.key",
    secret: false,
    whenUnset: optional,
    schema: z.string(),
  },
  TLS_CA_FILE: {
    doc: "PEM CA certificate used to verify peers' wss:// certificates, for a private CA. Default: the system's CAs.",
    example: "/etc/nexaloak/tls/ca.crt",
    secret: false,
    whenUnset: optional,
    schema: z.string(),
  },
  SNAPSHOT_EVERY_ENTRIES: {
    doc: "Take a snapshot of the replicated state and compact the Raft log after this many applied entries.",
    example: "10000",
    secret: false,
    whenUnset: defaultsTo("10000"),
    schema: positiveInteger("entries"),
  },
  VPN_DRIVER: {
    doc: "How this node drives its own VPN server: dry-run only records what it would do (development); wireguard manages a WireGuard interface with wg (kernel module, or wireguard-go when the module is missing).",
    example: "dry-run",
    secret: false,
    whenUnset: defaultsTo("dry-run"),
    schema: z.enum(["dry-run", "wireguard"], { error: "must be dry-run or wireguard" }),
  },
  WG_INTERFACE: {
    doc: "Name of the WireGuard interface this node manages (at most 15 characters).",
    example: "nxl0",
    secret: false,
    whenUnset: defaultsTo("nxl0"),
    schema: z.string().regex(/^[A-Za-z0-9_=+.-]{1,15}$/, "must be 1-15 of A-Z a-z 0-9 _ = + . -"),
  },
  WG_PORT: {
    doc: "UDP port the WireGuard interface listens on; clients connect to PUBLIC_HOST:WG_PORT.",
    example: "51820",
    secret: false,
    whenUnset: defaultsTo("51820"),
    schema: positiveInteger("a port").pipe(z.number().max(65_535, "must be a port, 1-65535")),
  },
  WG_MTU: {
    doc: `MTU of the WireGuard interface and of every client config for this server, ${MIN_WIREGUARD_MTU}-${MAX_WIREGUARD_MTU}. The default, ${MIN_WIREGUARD_MTU}, gets through mobile networks and tunnelled uplinks without fragments; 1420 suits a clean 1500-byte path.`,
    example: "1280",
    secret: false,
    whenUnset: defaultsTo(String(MIN_WIREGUARD_MTU)),
    schema: positiveInteger("bytes").pipe(
      z
        .number()
        .min(MIN_WIREGUARD_MTU, `must be ${MIN_WIREGUARD_MTU}-${MAX_WIREGUARD_MTU}`)
        .max(MAX_WIREGUARD_MTU, `must be ${MIN_WIREGUARD_MTU}-${MAX_WIREGUARD_MTU}`),
    ),
  },
  CLIENT_DNS: {
    doc: `DNS resolvers written into every client config for this server (the DNS line), 1-${MAX_CLIENT_DNS} IP addresses, comma-separated. Queries go through the tunnel, so the censored network's resolvers never see them.`,
    example: DEFAULT_CLIENT_DNS.join(","),
    secret: false,
    whenUnset: defaultsTo(DEFAULT_CLIENT_DNS.join(",")),
    schema: parsedBy(parseClientDns),
  },
  WG_CLIENT_TO_CLIENT: {
    doc: "Whether clients of this server may reach each other through it. Off by default: a user's device is not exposed to strangers sharing the server. 1/true/yes or 0/false/no.",
    example: "false",
    secret: false,
    whenUnset: defaultsTo("false"),
    schema: yesOrNo("block"),
  },
  PROTOCOLS: {
    doc: "What this server offers new configs, comma-separated: wireguard, shadowsocks (an AEAD proxy for networks whose DPI blocks WireGuard), or both. Users choose among what the active servers offer.",
    example: "wireguard",
    secret: false,
    whenUnset: defaultsTo("wireguard"),
    schema: parsedBy(parseProtocolList),
  },
  SS_PORTS: {
    doc: "With shadowsocks in PROTOCOLS: the TCP and UDP ports Shadowsocks configs get, one per config, as first-last. It must leave out WG_PORT and the LISTEN port, and cover every live Shadowsocks config's port when changed.",
    example: "20000-29999",
    secret: false,
    whenUnset: defaultsTo("20000-29999"),
    schema: parsedBy(parsePortRange),
  },
  SS_METHOD: {
    doc: `The Shadowsocks cipher new configs on this server get: ${SHADOWSOCKS_METHODS.join(", ")}. Existing configs keep theirs.`,
    example: DEFAULT_SHADOWSOCKS_METHOD,
    secret: false,
    whenUnset: defaultsTo(DEFAULT_SHADOWSOCKS_METHOD),
    schema: z.enum(SHADOWSOCKS_METHODS, {
      error: `must be one of: ${SHADOWSOCKS_METHODS.join(", ")}`,
    }),
  },
  SS_DRIVER: {
    doc: "How this node serves Shadowsocks: ss-manager runs ss-manager (shadowsocks-libev) with its control socket and working files in DATA_DIR/shadowsocks, one ss-server per port; dry-run only records what it would do (development).",
    example: "ss-manager",
    secret: false,
    whenUnset: defaultsTo("ss-manager"),
    schema: z.enum(["ss-manager", "dry-run"], { error: "must be ss-manager or dry-run" }),
  },
  SS_LISTEN_HOST: {
    doc: "The local address Shadowsocks ports listen on; 0.0.0.0 is every IPv4 address of the server.",
    example: "0.0.0.0",
    secret: false,
    whenUnset: defaultsTo("0.0.0.0"),
    schema: z.union([z.ipv4(), z.ipv6()], { error: "must be an IPv4 or IPv6 address" }),
  },
  BLOCKED_DESTINATIONS: {
    doc: "Networks (CIDR, comma-separated) that no VPN client, WireGuard or Shadowsocks, may reach through this server. The default is every loopback, private, shared, link-local, multicast and reserved range, IPv4 and IPv6: a user cannot reach this server's Redis or other local services, its provider's private network or its metadata service. none blocks nothing (not for a server in service).",
    example: "127.0.0.0/8,::1/128,169.254.0.0/16",
    secret: false,
    whenUnset: defaultsTo(DEFAULT_BLOCKED_DESTINATIONS.join(",")),
    schema: parsedBy(parseBlockedDestinations),
  },
  PUBLIC_HOST: {
    doc: "The host name or IP address clients connect to. When unset, the node learns its address from how its peers see it (the majority view) and updates it when it changes.",
    example: "vpn1.example.net",
    secret: false,
    whenUnset: optional,
    schema: z.string().regex(/^[A-Za-z0-9.:-]{1,253}$/, "must be a DNS name or an IP address"),
  },
  SUBSCRIPTION_BASE_URL: {
    doc: "Where users' subscription URLs point: http(s)://host[:port] of a domain or CDN that passes /s/ to the nodes' public port. When unset, URLs name a server in service (its public address and port); every node serves every subscription.",
    example: "https://sub.example.net",
    secret: false,
    sharedByCluster: true,
    whenUnset: optional,
    schema: z
      .string()
      .refine(
        isHttpRoot,
        "must be an http:// or https:// URL without a path, e.g. https://sub.example.net",
      )
      .transform((text) => text.replace(/\/+$/, "")),
  },
  SERVER_CAPACITY: {
    doc: "How many client configs this server accepts; its subnet is sized for it (a /24 holds 252).",
    example: "250",
    secret: false,
    whenUnset: defaultsTo("250"),
    schema: positiveInteger("configs").pipe(z.number().max(65_532, "must be at most 65532")),
  },
  SERVER_REGION: {
    doc: "Region label users can choose when asking for a config (e.g. de, nl, us-east).",
    example: "default",
    secret: false,
    whenUnset: defaultsTo("default"),
    schema: z.string().regex(/^[A-Za-z0-9_.-]{1,32}$/, "must be 1-32 of A-Z a-z 0-9 _ . -"),
  },
  DATA_DIR: {
    doc: "Directory for this node's local files: its identity key (identity/node-ed25519.pem, mode 0600: this file is the node, keep it off shared storage) and the WireGuard server key. Default: .data/<NODE_ID>.",
    example: ".data/n1",
    secret: false,
    whenUnset: optional,
    schema: z.string().min(1),
  },
  OUTBOUND_ADDRESS: {
    doc: "Source IP address for this node's outgoing requests to its peers, on a server with several addresses. Default: chosen by the operating system.",
    example: "127.0.0.1",
    secret: false,
    whenUnset: optional,
    schema: z.union([z.ipv4(), z.ipv6()], { error: "must be an IPv4 or IPv6 address" }),
  },
  TRUSTED_NETWORKS: {
    doc: "Comma-separated networks (CIDR) whose requests see /metrics, readiness reasons and detailed errors without the admin token; everyone else gets a bland 404 that does not name the product. none: only the admin token shows details.",
    example: "127.0.0.0/8,::1/128",
    secret: false,
    whenUnset: defaultsTo(DEFAULT_TRUSTED_NETWORKS),
    schema: parsedBy(parseTrustedNetworks),
  },
  BOT_TOKEN: {
    doc: "The Telegram bot's token from @BotFather. Only the leader runs the bot; when unset, the node runs everything else and the bot stays off.",
    example: "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0",
    secret: true,
    sharedByCluster: true,
    whenUnset: optional,
    schema: z
      .string()
      .regex(
        /^[0-9]{1,20}:[A-Za-z0-9_-]{30,100}$/,
        "must be a bot token as @BotFather gives it: digits, a colon, then at least 30 of A-Z a-z 0-9 _ -",
      ),
  },
  TELEGRAM_API_ROOT: {
    doc: "Where the bot calls the Telegram Bot API; point it at a local Bot API server or the emulator in scripts/telegram-emulator for development and tests.",
    example: "https://api.telegram.org",
    secret: false,
    sharedByCluster: true,
    whenUnset: defaultsTo("https://api.telegram.org"),
    schema: z
      .string()
      .refine(
        isHttpRoot,
        "must be an http:// or https:// URL without a path, e.g. https://api.telegram.org",
      )
      .transform((text) => text.replace(/\/+$/, "")),
  },
  TELEGRAM_PROXY: {
    doc: "A proxy every Bot API call goes through, for servers that cannot reach Telegram (or TELEGRAM_API_ROOT) directly: socks5://, socks5h:// (the proxy resolves names), http:// or https://, with user:password@ when it needs them (percent-encoded). Unset: calls go straight out.",
    example: "socks5://user:password@127.0.0.1:1080",
    // Its credentials are never repeated in an error message.
    secret: true,
    whenUnset: optional,
    schema: z
      .string()
      .refine(
        isProxyUrl,
        "must be a proxy URL: socks5://, socks5h://, http:// or https://, a host, an optional port and user:password@, no path, e.g. socks5://127.0.0.1:1080",
      ),
  },
  ADMIN_IDS: {
    doc: "Telegram user ids of the bootstrap admins, comma-separated; they become admins when they start the bot and can promote others.",
    example: "123456789",
    secret: false,
    sharedByCluster: true,
    whenUnset: optional,
    schema: parsedBy(parseTelegramIdList),
  },
  ACCESS_MODE: {
    doc: "How new users get access until an admin changes it in the bot: open (anyone who starts the bot), invite (an invite code is needed) or approval (an admin approves each user).",
    example: "open",
    secret: false,
    sharedByCluster: true,
    whenUnset: defaultsTo("open"),
    schema: z.enum(accessModes, `must be one of: ${accessModes.join(", ")}`),
  },
  BAN_CHECK_CRON: {
    doc: "When the leader runs a ban-check round over the fleet: a cron pattern in UTC, five fields, or six with seconds first.",
    example: "*/5 * * * *",
    secret: false,
    sharedByCluster: true,
    whenUnset: defaultsTo("*/5 * * * *"),
    schema: parsedBy(CronSchedule.parse),
  },
  BAN_AFTER: {
    doc: "Consecutive filtered verdicts after which a server is banned and its users are moved.",
    example: "2",
    secret: false,
    sharedByCluster: true,
    whenUnset: defaultsTo("2"),
    schema: positiveInteger("rounds").pipe(z.number().max(1000, "must be at most 1000")),
  },
  DOWN_AFTER: {
    doc: "Consecutive down verdicts (the server fails from outside the censored network too) after which it is marked down; it returns when checks pass.",
    example: "2",
    secret: false,
    sharedByCluster: true,
    whenUnset: defaultsTo("2"),
    schema: positiveInteger("rounds").pipe(z.number().max(1000, "must be at most 1000")),
  },
  PROBE_TIMEOUT_MS: {
    doc: "How long one probe (TCP connect, WireGuard handshake) waits for an answer, in milliseconds.",
    example: "5000",
    secret: false,
    sharedByCluster: true,
    whenUnset: defaultsTo("5000"),
    schema: positiveInteger("milliseconds").pipe(z.number().max(30_000, "must be at most 30000")),
  },
  BAN_CHECK_CONCURRENCY: {
    doc: "Servers the leader checks at once during a round.",
    example: "32",
    secret: false,
    whenUnset: defaultsTo("32"),
    schema: positiveInteger("servers").pipe(z.number().max(1000, "must be at most 1000")),
  },
  BACKUP_CRON: {
    doc: "When the leader's bot sends every admin the encrypted backup file (or, with no backup passphrase set, says why there is none): a cron pattern in UTC, five fields, or six with seconds first. Each slot is sent once, whatever the failovers.",
    example: "0 3 * * *",
    secret: false,
    sharedByCluster: true,
    whenUnset: defaultsTo("0 3 * * *"),
    schema: parsedBy(CronSchedule.parse),
  },
} as const satisfies Record<string, EnvVariable<unknown>>;

/** The name of a variable the node reads. */
export type EnvName = keyof typeof envVariables;

/** Every variable's name, in documentation order. */
export const envNames = Object.keys(envVariables) as EnvName[];

/** The parsed value of every variable, defaults applied. */
export type EnvValues = {
  [Name in EnvName]: (typeof envVariables)[Name]["whenUnset"] extends { kind: "optional" }
    ? z.output<(typeof envVariables)[Name]["schema"]> | undefined
    : z.output<(typeof envVariables)[Name]["schema"]>;
};
