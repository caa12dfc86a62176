import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { DEFAULT_BLOCKED_DESTINATIONS } from "../../shared/blocked-destinations.ts";
import { loadConfig, loadConfigFromProcess, type NodeConfig } from "../../shared/config.ts";
import { envVariables } from "../../shared/env-variables.ts";

const clusterSecret = "0123456789abcdef0123456789abcdef";
const adminApiToken = "fedcba9876543210";
const dataKeys = "k1:0123456789abcdef0123456789abcdefdata";

/** Only the variables without a default. */
function minimalEnv(): NodeJS.ProcessEnv {
  return {
    NODE_ID: "n1",
    LISTEN: "127.0.0.1:7001",
    PEERS: "n1=ws://127.0.0.1:7001,n2=ws://127.0.0.1:7002,n3=ws://127.0.0.1:7003",
    CLUSTER_SECRET: clusterSecret,
    DATA_KEYS: dataKeys,
    ADMIN_API_TOKEN: adminApiToken,
  };
}

function configOf(env: NodeJS.ProcessEnv): NodeConfig {
  const config = loadConfig(env);
  if (!config.ok) throw new Error(config.error.message);
  return config.value;
}

/** The failure message, split into its per-variable lines: variable name -> line. */
function problemsOf(env: NodeJS.ProcessEnv): { message: string; lines: Map<string, string> } {
  const config = loadConfig(env);
  if (config.ok) throw new Error("expected the configuration to be refused");
  assert.is(config.error.code, "INVALID_CONFIG");
  const lines = new Map<string, string>();
  for (const line of config.error.message.split("\n").slice(1)) {
    const name = /^ {2}([A-Z][A-Z0-9_]*): /.exec(line)?.[1];
    if (name === undefined) throw new Error(`unexpected line in message: ${line}`);
    lines.set(name, line);
  }
  return { message: config.error.message, lines };
}

test("DATA_KEYS is required, except where the cluster withheld it from a joined node, which then holds none", () => {
  const { DATA_KEYS: _, ...without } = minimalEnv();
  assert.match(problemsOf(without).lines.get("DATA_KEYS") ?? "", /is required/);
  const withheld = loadConfig(without, { withheld: new Set(["DATA_KEYS"]) });
  assert.ok(withheld.ok && withheld.value.dataKeys.length === 0);
  const given = loadConfig(minimalEnv(), { withheld: new Set(["DATA_KEYS"]) });
  assert.ok(given.ok && given.value.dataKeys.length === 1, "one set by the operator is used");
});

test("the admin token may be given as its SHA-256 alone, and the node keeps only that digest", () => {
  const digest = createHash("sha256").update("a-token-only-the-admin-holds").digest("hex");
  const asDigest = configOf({ ...minimalEnv(), ADMIN_API_TOKEN: `sha256:${digest}` });
  assert.equal(asDigest.adminApiTokenSha256s, [digest]);
  const asToken = configOf({ ...minimalEnv(), ADMIN_API_TOKEN: "a-token-only-the-admin-holds" });
  assert.equal(asToken.adminApiTokenSha256s, [digest]);
  assert.not.ok(JSON.stringify(asToken).includes("a-token-only-the-admin-holds"));
  const malformed = loadConfig({ ...minimalEnv(), ADMIN_API_TOKEN: "sha256:not-hex-at-all-0123" });
  assert.ok(
    !malformed.ok && /ADMIN_API_TOKEN: sha256: must be followed/.test(malformed.error.message),
  );
});

test("the minimal environment gives a config with every default applied", () => {
  const config = configOf(minimalEnv());
  assert.equal(config, {
    nodeId: "n1",
    listen: { host: "127.0.0.1", port: 7001 },
    peers: new Map([
      ["n1", "ws://127.0.0.1:7001"],
      ["n2", "ws://127.0.0.1:7002"],
      ["n3", "ws://127.0.0.1:7003"],
    ]),
    redisUrl: "redis://127.0.0.1:6379",
    redisPrefix: "nexaloak:n1:",
    clusterSecret,
    dataKeys: [{ id: "k1", secret: dataKeys.slice(3) }],
    adminApiTokenSha256s: [createHash("sha256").update(adminApiToken).digest("hex")],
    logLevel: "info",
    heartbeatMs: 100,
    electionTimeoutMs: 1000,
    allowVolatileRedis: false,
    serverTls: undefined,
    peerCaFile: undefined,
    snapshotEveryEntries: 10000,
    vpnDriver: "dry-run",
    wireguardInterface: "nxl0",
    wireguardPort: 51820,
    wireguardMtu: 1280,
    clientDns: ["1.1.1.1", "8.8.8.8"],
    allowClientToClient: false,
    blockedDestinations: DEFAULT_BLOCKED_DESTINATIONS,
    protocols: ["wireguard"],
    shadowsocks: undefined,
    publicHost: undefined,
    serverCapacity: 250,
    serverRegion: "default",
    dataDir: ".data/n1",
    outboundAddress: undefined,
    trustedNetworks: config.trustedNetworks,
    botToken: undefined,
    telegramApiRoot: "https://api.telegram.org",
    telegramProxy: undefined,
    adminIds: [],
    accessMode: "open",
    banChecks: {
      schedule: config.banChecks.schedule,
      banAfter: 2,
      downAfter: 2,
      probeTimeoutMs: 5000,
      concurrency: 32,
    },
    subscriptionBaseUrl: undefined,
    backupSchedule: config.backupSchedule,
  });
  assert.is(config.banChecks.schedule.pattern, "*/5 * * * *");
  assert.is(config.backupSchedule.pattern, "0 3 * * *");
  assert.ok(config.trustedNetworks("127.0.0.1"), "loopback is trusted by default");
  assert.ok(config.trustedNetworks("::1"));
  assert.not.ok(config.trustedNetworks("203.0.113.5"), "the internet is not");
});

test("REDIS_URL may name Redis's Unix socket instead of a TCP address", () => {
  const config = configOf({ ...minimalEnv(), REDIS_URL: "unix:///run/redis/redis-server.sock" });
  assert.is(config.redisUrl, "unix:///run/redis/redis-server.sock");
});

test("every variable set by hand is used instead of its default", () => {
  const config = configOf({
    ...minimalEnv(),
    REDIS_URL: "rediss://:pw@redis.internal:6380/2",
    REDIS_PREFIX: "{test-7}:n1:",
    LOG_LEVEL: "debug",
    HEARTBEAT_MS: "50",
    ELECTION_TIMEOUT_MS: "100",
    ALLOW_VOLATILE_REDIS: "yes",
    TLS_CERT_FILE: "/etc/nexaloak/node.crt",
    TLS_KEY_FILE: "/etc/nexaloak/node.key",
    TLS_CA_FILE: "/etc/nexaloak/ca.crt",
    SNAPSHOT_EVERY_ENTRIES: "500",
  });
  assert.is(config.redisUrl, "rediss://:pw@redis.internal:6380/2");
  assert.is(config.redisPrefix, "{test-7}:n1:");
  assert.is(config.logLevel, "debug");
  assert.is(config.heartbeatMs, 50);
  assert.is(config.electionTimeoutMs, 100);
  assert.is(config.allowVolatileRedis, true);
  assert.equal(config.serverTls, {
    certFile: "/etc/nexaloak/node.crt",
    keyFile: "/etc/nexaloak/node.key",
  });
  assert.is(config.peerCaFile, "/etc/nexaloak/ca.crt");
  assert.is(config.snapshotEveryEntries, 500);
});

test("an empty variable counts as unset: defaults apply, required ones are missing", () => {
  const config = configOf({ ...minimalEnv(), LOG_LEVEL: "", REDIS_PREFIX: "", TLS_CA_FILE: "" });
  assert.is(config.logLevel, "info");
  assert.is(config.redisPrefix, "nexaloak:n1:");
  assert.is(config.peerCaFile, undefined);
  const { lines } = problemsOf({ ...minimalEnv(), NODE_ID: "" });
  assert.match(lines.get("NODE_ID") ?? "", /NODE_ID: is required/);
});

test("ban-check settings: a six-field cron is accepted; bad patterns and counts are named", () => {
  const config = configOf({
    ...minimalEnv(),
    BAN_CHECK_CRON: "*/10 * * * * *",
    BAN_AFTER: "3",
    DOWN_AFTER: "4",
    PROBE_TIMEOUT_MS: "1500",
    BAN_CHECK_CONCURRENCY: "8",
  });
  assert.is(config.banChecks.schedule.pattern, "*/10 * * * * *");
  assert.is(config.banChecks.banAfter, 3);
  assert.is(config.banChecks.downAfter, 4);
  assert.is(config.banChecks.probeTimeoutMs, 1500);
  assert.is(config.banChecks.concurrency, 8);
  const { lines } = problemsOf({
    ...minimalEnv(),
    BAN_CHECK_CRON: "every 5 minutes",
    BAN_AFTER: "0",
    PROBE_TIMEOUT_MS: "60000",
  });
  assert.match(lines.get("BAN_CHECK_CRON") ?? "", /BAN_CHECK_CRON: .*cron/);
  assert.match(lines.get("BAN_AFTER") ?? "", /BAN_AFTER: .*at least 1/);
  assert.match(lines.get("PROBE_TIMEOUT_MS") ?? "", /PROBE_TIMEOUT_MS: must be at most 30000/);
});

test("the default Redis prefix follows NODE_ID", () => {
  const config = configOf({ ...minimalEnv(), NODE_ID: "n2" });
  assert.is(config.redisPrefix, "nexaloak:n2:");
});

test("the listen address keeps an IPv6 host without brackets", () => {
  assert.equal(configOf({ ...minimalEnv(), LISTEN: "[::]:7001" }).listen, {
    host: "::",
    port: 7001,
  });
});

test("ALLOW_VOLATILE_REDIS accepts 1/true/yes and 0/false/no in any case", () => {
  for (const [raw, expected] of [
    ["1", true],
    ["TRUE", true],
    ["Yes", true],
    ["0", false],
    ["false", false],
    ["NO", false],
  ] as const) {
    assert.is(
      configOf({ ...minimalEnv(), ALLOW_VOLATILE_REDIS: raw }).allowVolatileRedis,
      expected,
    );
  }
});

test("ELECTION_TIMEOUT_MS of exactly 2 x HEARTBEAT_MS is accepted", () => {
  const config = configOf({ ...minimalEnv(), HEARTBEAT_MS: "250", ELECTION_TIMEOUT_MS: "500" });
  assert.is(config.electionTimeoutMs, 500);
});

test("TLS_CA_FILE alone verifies peers without serving TLS", () => {
  const config = configOf({ ...minimalEnv(), TLS_CA_FILE: "/etc/nexaloak/ca.crt" });
  assert.is(config.serverTls, undefined);
  assert.is(config.peerCaFile, "/etc/nexaloak/ca.crt");
});

test("each missing required variable is reported as required, with an example or how to make a secret", () => {
  for (const name of ["NODE_ID", "LISTEN", "PEERS"]) {
    const env = minimalEnv();
    delete env[name];
    const { lines } = problemsOf(env);
    assert.equal([...lines.keys()], [name]);
    assert.match(
      lines.get(name) ?? "",
      new RegExp(`^  ${name}: is required\\. Example: ${name}=.+`),
    );
  }
  for (const [name, command] of [
    ["CLUSTER_SECRET", "openssl rand -hex 32"],
    ["DATA_KEYS", "echo k1:$(openssl rand -hex 32)"],
    ["ADMIN_API_TOKEN", "openssl rand -hex 24"],
  ] as const) {
    const env = minimalEnv();
    delete env[name];
    assert.is(problemsOf(env).lines.get(name), `  ${name}: is required. Make your own: ${command}`);
  }
});

test("the secrets published in .env.example are refused, and never repeated", () => {
  for (const name of ["CLUSTER_SECRET", "DATA_KEYS", "ADMIN_API_TOKEN"] as const) {
    const published = envVariables[name].example;
    const { message, lines } = problemsOf({ ...minimalEnv(), [name]: published });
    assert.equal([...lines.keys()], [name]);
    assert.match(lines.get(name) ?? "", /is the example value published in \.env\.example/);
    assert.not.ok(message.includes(published), "the value is not repeated");
  }
});

/** Typical mistakes, each of which must be refused with a line naming its variable. */
const mistakes: [name: string, value: string, problem: RegExp][] = [
  ["NODE_ID", "N1", /must be 1-32 characters/],
  ["NODE_ID", "node_1", /must be 1-32 characters/],
  ["NODE_ID", "n".repeat(33), /must be 1-32 characters/],
  ["NODE_ID", "-n1", /must be 1-32 characters/],
  ["LISTEN", "7001", /must be host:port/],
  ["LISTEN", "127.0.0.1", /must be host:port/],
  ["LISTEN", "127.0.0.1:0", /port must be between 1 and 65535/],
  ["LISTEN", "127.0.0.1:70000", /port must be between 1 and 65535/],
  ["LISTEN", "::1:7001", /IPv6 host in brackets/],
  ["LISTEN", "http://127.0.0.1:7001", /host:port/],
  ["PEERS", "ws://127.0.0.1:7001", /must be id=ws:\/\/host:port/],
  ["PEERS", "n1=127.0.0.1:7001", /must be ws:\/\/host:port or wss:\/\/host:port/],
  ["PEERS", "n1=http://127.0.0.1:7001", /must be ws:\/\/host:port or wss:\/\/host:port/],
  ["PEERS", "n1=ws://127.0.0.1:7001,n1=ws://127.0.0.1:7002", /appears more than once/],
  ["PEERS", "n1=ws://127.0.0.1:7001;n2=ws://127.0.0.1:7002", /must be ws:\/\/host:port/],
  [
    "PEERS",
    "n2=ws://127.0.0.1:7002,n3=ws://127.0.0.1:7003",
    /must include this node \(NODE_ID is n1\)/,
  ],
  ["REDIS_URL", "127.0.0.1:6379", /must be a redis:\/\/ or rediss:\/\/ URL/],
  ["REDIS_URL", "http://127.0.0.1:6379", /must be a redis:\/\/ or rediss:\/\/ URL/],
  ["REDIS_URL", "unix:/run/redis/redis-server.sock", /or unix:\/\/ and the absolute path/],
  ["REDIS_URL", "unix://localhost/run/redis.sock", /or unix:\/\/ and the absolute path/],
  ["REDIS_URL", "unix:///run/redis/redis%20server.sock", /letters, digits and \. _ \/ - only/],
  ["REDIS_URL", "unix:///run/redis/redis-server.sock?db=2", /letters, digits and \. _ \/ - only/],
  ["REDIS_URL", `unix:///${"r".repeat(101)}`, /or unix:\/\/ and the absolute path/],
  ["REDIS_PREFIX", "nexa loak:", /printable ASCII characters without spaces/],
  ["REDIS_PREFIX", "x".repeat(101), /1-100 printable ASCII/],
  ["CLUSTER_SECRET", "x".repeat(31), /at least 32 characters/],
  ["ADMIN_API_TOKEN", "x".repeat(15), /at least 16 characters/],
  ["LOG_LEVEL", "verbose", /must be one of: fatal, error, warn, info, debug, trace, silent/],
  ["LOG_LEVEL", "warning", /must be one of/],
  ["HEARTBEAT_MS", "0", /whole number of milliseconds, at least 1/],
  ["HEARTBEAT_MS", "100ms", /whole number of milliseconds/],
  ["HEARTBEAT_MS", "1e2", /whole number of milliseconds/],
  ["HEARTBEAT_MS", "0.5", /whole number of milliseconds/],
  ["HEARTBEAT_MS", "99999999999999999999", /whole number of milliseconds/],
  ["ELECTION_TIMEOUT_MS", "-1000", /whole number of milliseconds/],
  ["ELECTION_TIMEOUT_MS", "150", /at least 2 x HEARTBEAT_MS \(200\)/],
  ["ALLOW_VOLATILE_REDIS", "maybe", /must be 1, true or yes/],
  ["ALLOW_VOLATILE_REDIS", "on", /must be 1, true or yes/],
  [
    "TLS_CERT_FILE",
    "/etc/nexaloak/node.crt",
    /TLS_KEY_FILE: is required when TLS_CERT_FILE is set/,
  ],
  ["TLS_KEY_FILE", "/etc/nexaloak/node.key", /TLS_CERT_FILE: is required when TLS_KEY_FILE is set/],
  ["SNAPSHOT_EVERY_ENTRIES", "0", /whole number of entries, at least 1/],
  ["SNAPSHOT_EVERY_ENTRIES", "10k", /whole number of entries/],
];

test("each typical mistake is refused with one line naming the variable, the problem and an example (or how to make a secret)", () => {
  for (const [name, value, problem] of mistakes) {
    const { message, lines } = problemsOf({ ...minimalEnv(), [name]: value });
    assert.is(lines.size, 1, `${name}=${value}: ${message}`);
    assert.match(message, problem, `${name}=${value}`);
    const [variable, line] = [...lines][0] ?? [];
    // A TLS half names its missing partner; every other mistake names itself.
    if (!name.startsWith("TLS_")) assert.is(variable, name);
    assert.match(
      line ?? "",
      new RegExp(`(Example: ${variable}=|Make your own: )\\S`),
      `${name}=${value}`,
    );
  }
});

test("a relation is not checked while one of its variables is itself bad", () => {
  const { lines } = problemsOf({
    ...minimalEnv(),
    NODE_ID: "N9",
    HEARTBEAT_MS: "fast",
    ELECTION_TIMEOUT_MS: "150",
  });
  assert.equal([...lines.keys()], ["NODE_ID", "HEARTBEAT_MS"]);
});

test("a non-secret bad value is quoted so the operator sees what was read", () => {
  const { lines } = problemsOf({ ...minimalEnv(), LOG_LEVEL: "verbose" });
  assert.match(lines.get("LOG_LEVEL") ?? "", /\(got "verbose"\)/);
});

test("a relation problem on a defaulted variable says the default was used", () => {
  const { lines } = problemsOf({ ...minimalEnv(), HEARTBEAT_MS: "600" });
  assert.match(lines.get("ELECTION_TIMEOUT_MS") ?? "", /unset, so the default 1000/);
});

test("several bad and missing variables are all listed in one message, in .env.example order", () => {
  const { message, lines } = problemsOf({
    NODE_ID: "Node 1",
    LISTEN: "localhost",
    REDIS_URL: "localhost:6379",
    LOG_LEVEL: "loud",
    HEARTBEAT_MS: "-5",
    SNAPSHOT_EVERY_ENTRIES: "many",
  });
  assert.equal(
    [...lines.keys()],
    [
      "NODE_ID",
      "LISTEN",
      "PEERS",
      "REDIS_URL",
      "CLUSTER_SECRET",
      "DATA_KEYS",
      "ADMIN_API_TOKEN",
      "LOG_LEVEL",
      "HEARTBEAT_MS",
      "SNAPSHOT_EVERY_ENTRIES",
    ],
  );
  assert.match(message.split("\n")[0] ?? "", /10 problems/);
});

test("secret values are never repeated in the message, whatever is wrong", () => {
  const { message, lines } = problemsOf({
    ...minimalEnv(),
    CLUSTER_SECRET: "hunter2-cluster",
    DATA_KEYS: "k1:hunter2-data",
    ADMIN_API_TOKEN: "hunter2-admin",
    REDIS_URL: "http://:hunter2-redis@127.0.0.1:6379",
    LISTEN: "nowhere",
  });
  assert.equal(
    [...lines.keys()],
    ["LISTEN", "REDIS_URL", "CLUSTER_SECRET", "DATA_KEYS", "ADMIN_API_TOKEN"],
  );
  assert.not.match(message, /hunter2/);
});

test("valid secrets are not repeated when other variables are bad", () => {
  const { message } = problemsOf({
    ...minimalEnv(),
    REDIS_URL: "redis://:hunter2@x:1",
    LISTEN: "",
  });
  assert.not.match(
    message,
    new RegExp(`${clusterSecret}|${adminApiToken}|${dataKeys.slice(3)}|hunter2`),
  );
});

test("a very long bad value is shortened in the message", () => {
  const { lines } = problemsOf({ ...minimalEnv(), PEERS: `n1=${"x".repeat(500)}` });
  const line = lines.get("PEERS") ?? "";
  assert.ok(line.length < 400, line);
  assert.match(line, /\.\.\."\)/);
});

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "nexaloak-config-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test("loadConfigFromProcess reads the .env file but real variables win over it", () => {
  const envFilePath = join(dir, "layered.env");
  writeFileSync(
    envFilePath,
    [
      "NODE_ID=n2",
      "LISTEN=127.0.0.1:7002",
      "PEERS=n1=ws://127.0.0.1:7001,n2=ws://127.0.0.1:7002",
      `CLUSTER_SECRET=${clusterSecret}`,
      `DATA_KEYS=${dataKeys}`,
      `ADMIN_API_TOKEN=${adminApiToken}`,
      "LOG_LEVEL=debug",
    ].join("\n"),
  );
  const env: NodeJS.ProcessEnv = { NODE_ID: "n1", LISTEN: "127.0.0.1:7001" };
  const config = loadConfigFromProcess({ envFilePath, env });
  assert.is(config.nodeId, "n1");
  assert.equal(config.listen, { host: "127.0.0.1", port: 7001 });
  assert.is(config.logLevel, "debug");
  assert.is(config.clusterSecret, clusterSecret);
});

test("loadConfigFromProcess works without a .env file", () => {
  const config = loadConfigFromProcess({ envFilePath: join(dir, "absent.env"), env: minimalEnv() });
  assert.is(config.nodeId, "n1");
});

test("a node started with a bad configuration prints every problem to stderr once and exits with code 2", () => {
  // The child runs in its own directory so it finds that directory's .env by default.
  const nodeDir = mkdtempSync(join(dir, "node-"));
  writeFileSync(join(nodeDir, ".env"), "CLUSTER_SECRET=hunter2-from-file\nLOG_LEVEL=loud\n");
  const script = join(nodeDir, "start.ts");
  const configUrl = new URL("shared/config.ts", `file://${repoRoot}`).href;
  writeFileSync(
    script,
    `import { loadConfigFromProcess } from ${JSON.stringify(configUrl)};\n` +
      "loadConfigFromProcess();\n" +
      'process.stdout.write("started\\n");\n',
  );
  const child = spawnSync(process.execPath, ["--import", import.meta.resolve("tsx"), script], {
    cwd: nodeDir,
    env: { PATH: process.env.PATH, NODE_ID: "n1", ADMIN_API_TOKEN: "hunter2-real" },
    encoding: "utf8",
    timeout: 30_000,
  });
  assert.is(child.status, 2, child.stderr);
  assert.is(child.stdout, "");
  const stderrLines = child.stderr.trimEnd().split("\n");
  assert.match(stderrLines[0] ?? "", /^Invalid configuration, 6 problems\./);
  assert.equal(
    stderrLines.slice(1).map((line) => /^ {2}([A-Z_]+):/.exec(line)?.[1]),
    ["LISTEN", "PEERS", "CLUSTER_SECRET", "DATA_KEYS", "ADMIN_API_TOKEN", "LOG_LEVEL"],
  );
  assert.not.match(child.stderr, /hunter2/);
});

test("the bot's variables: token, API root without its trailing slash, admin ids and access mode", () => {
  const config = configOf({
    ...minimalEnv(),
    BOT_TOKEN: "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0",
    TELEGRAM_API_ROOT: "http://127.0.0.1:8081/",
    ADMIN_IDS: " 42, 7,42 ",
    ACCESS_MODE: "approval",
  });
  assert.is(config.botToken, "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0");
  assert.is(config.telegramApiRoot, "http://127.0.0.1:8081");
  assert.equal(config.adminIds, ["42", "7"]);
  assert.is(config.accessMode, "approval");
});

test("bad bot variables are refused with what to set, and the token is never repeated", () => {
  const { lines } = problemsOf({
    ...minimalEnv(),
    BOT_TOKEN: "not-a-token",
    TELEGRAM_API_ROOT: "ftp://127.0.0.1/bot",
    ADMIN_IDS: "42,bob",
    ACCESS_MODE: "closed",
  });
  assert.match(lines.get("BOT_TOKEN") ?? "", /must be a bot token/);
  assert.not.match(lines.get("BOT_TOKEN") ?? "", /not-a-token/);
  assert.match(lines.get("TELEGRAM_API_ROOT") ?? "", /http:\/\/ or https:\/\//);
  assert.match(lines.get("ADMIN_IDS") ?? "", /Telegram user ids/);
  assert.match(lines.get("ACCESS_MODE") ?? "", /open, invite, approval/);
});

test("Shadowsocks settings: PROTOCOLS in canonical order, SS_PORTS, SS_METHOD, SS_DRIVER, SS_LISTEN_HOST", () => {
  const config = configOf({
    ...minimalEnv(),
    PROTOCOLS: " shadowsocks,WireGuard",
    SS_PORTS: "30000-30099",
    SS_METHOD: "aes-256-gcm",
    SS_DRIVER: "dry-run",
    SS_LISTEN_HOST: "127.0.0.7",
  });
  assert.equal(config.protocols, ["wireguard", "shadowsocks"]);
  assert.equal(config.shadowsocks, {
    firstPort: 30000,
    lastPort: 30099,
    method: "aes-256-gcm",
    driver: "dry-run",
    listenHost: "127.0.0.7",
  });
  const defaults = configOf({ ...minimalEnv(), PROTOCOLS: "shadowsocks" });
  assert.equal(defaults.protocols, ["shadowsocks"]);
  assert.equal(defaults.shadowsocks, {
    firstPort: 20000,
    lastPort: 29999,
    method: "chacha20-ietf-poly1305",
    driver: "ss-manager",
    listenHost: "0.0.0.0",
  });
});

test("BLOCKED_DESTINATIONS: every way to the server and the networks behind it by default, or the operator's list", () => {
  assert.equal(configOf(minimalEnv()).blockedDestinations, DEFAULT_BLOCKED_DESTINATIONS);
  assert.equal(
    configOf({ ...minimalEnv(), BLOCKED_DESTINATIONS: "127.0.0.0/8, ::1/128" }).blockedDestinations,
    ["127.0.0.0/8", "::1/128"],
  );
  assert.equal(configOf({ ...minimalEnv(), BLOCKED_DESTINATIONS: "none" }).blockedDestinations, []);
});

test("bad Shadowsocks settings are refused with what to set", () => {
  const { lines } = problemsOf({
    ...minimalEnv(),
    PROTOCOLS: "wireguard,openvpn",
    SS_PORTS: "29999-20000",
    SS_METHOD: "rc4-md5",
    SS_DRIVER: "docker",
    SS_LISTEN_HOST: "every",
    BLOCKED_DESTINATIONS: "localhost",
  });
  assert.match(lines.get("PROTOCOLS") ?? "", /one or more of wireguard, shadowsocks/);
  assert.match(lines.get("SS_PORTS") ?? "", /first-last within 1-65535/);
  assert.match(lines.get("SS_METHOD") ?? "", /chacha20-ietf-poly1305, aes-256-gcm/);
  assert.match(lines.get("SS_DRIVER") ?? "", /ss-manager or dry-run/);
  assert.match(lines.get("SS_LISTEN_HOST") ?? "", /IPv4 or IPv6/);
  assert.match(lines.get("BLOCKED_DESTINATIONS") ?? "", /localhost is not a network like/);
  for (const repeated of ["wireguard,wireguard", "", ","]) {
    const problems = problemsOf({ ...minimalEnv(), PROTOCOLS: repeated || "," });
    assert.match(problems.lines.get("PROTOCOLS") ?? "", /each once/);
  }
  for (const port of ["0-10", "20000-70000", "1e3-2000", "a-b"]) {
    const problems = problemsOf({ ...minimalEnv(), SS_PORTS: port });
    assert.match(problems.lines.get("SS_PORTS") ?? "", /port range/, port);
  }
});

test("SS_PORTS must leave out WG_PORT and the LISTEN port when Shadowsocks is offered", () => {
  const clash = { ...minimalEnv(), PROTOCOLS: "wireguard,shadowsocks", WG_PORT: "20001" };
  assert.match(problemsOf(clash).lines.get("SS_PORTS") ?? "", /leave out the WG_PORT port 20001/);
  const wireguardOnly = configOf({ ...minimalEnv(), WG_PORT: "20001" });
  assert.is(wireguardOnly.shadowsocks, undefined, "no clash while Shadowsocks is off");
});

test("TELEGRAM_PROXY takes socks5, socks5h, http and https proxies, with credentials", () => {
  for (const url of [
    "socks5://127.0.0.1:1080",
    "socks5h://user:p%40ss@proxy.example:1080",
    "http://127.0.0.1:3128",
    "https://user:password@proxy.example",
  ])
    assert.is(configOf({ ...minimalEnv(), TELEGRAM_PROXY: url }).telegramProxy, url);
});

test("a bad TELEGRAM_PROXY is refused at start, saying what to give, without its credentials", () => {
  for (const url of [
    "ftp://127.0.0.1:21",
    "socks4://127.0.0.1:1080",
    "socks5://user:hunter2secret@127.0.0.1:1080/path",
    "127.0.0.1:1080",
  ]) {
    const { lines } = problemsOf({ ...minimalEnv(), TELEGRAM_PROXY: url });
    const line = lines.get("TELEGRAM_PROXY") ?? "";
    assert.match(
      line,
      /must be a proxy URL: socks5:\/\/, socks5h:\/\/, http:\/\/ or https:\/\//,
      url,
    );
    assert.not.match(line, /hunter2secret/);
  }
});

test.run();
