/**
 * `npm run dev`: a local three-node cluster for development. Each node gets
 * its own durable redis-server (AOF, appendfsync always) with its data under
 * ./.data/<node>/, so the cluster keeps its state across restarts. Prints the
 * URLs, the admin token and example requests, streams the nodes' logs in
 * short form, and stops everything it started on Ctrl-C or SIGTERM.
 *
 * Without BOT_TOKEN it also serves the local Telegram Bot API emulator with
 * its web chat page, so the bot can be tried as a user and as an admin with no
 * token and no network; with BOT_TOKEN set the leader's bot talks to Telegram.
 *
 * Usage: npm run dev [-- --base-port 7101] [--data-dir .data]
 *   Nodes listen on base-port, +1, +2; their Redis servers on base-port+100, +101, +102;
 *   the emulator (without BOT_TOKEN) on base-port+90.
 * The cluster secret and admin token are generated once into <data-dir>/dev-secrets.json.
 *
 * The banner with the URLs is printed once the nodes listen and again once
 * the cluster is ready (a leader, and the bot polling), below the start-up
 * lines. Stopping ends with the line "All stopped".
 */

import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { formatDataKeys, newDataKey } from "../shared/crypto/data-keys.ts";
import { sleep } from "../shared/sleep.ts";
import { formatLogLine } from "./lib/log-line-format.ts";
import { type NodeProcess, spawnNode } from "./lib/node-process.ts";
import { type RedisServerHandle, startRedisServer } from "./lib/redis-server.ts";
import { createTelegramEmulator, type TelegramEmulator } from "./telegram-emulator/emulator.ts";

const NODE_IDS = ["n1", "n2", "n3"] as const;
const REDIS_PORT_OFFSET = 100;
const EMULATOR_PORT_OFFSET = 90;
/** The Telegram id the web chat's admin uses in development. */
const DEV_ADMIN_ID = "100";
const STOP_GRACE_MS = 10_000;
const START_TIMEOUT_MS = 60_000;

/** How long the dev cluster waits for a leader (and the bot's first poll) before saying so. */
const READY_TIMEOUT_MS = 60_000;
const READY_RECHECK_MS = 250;

const repoRoot = resolve(new URL("..", import.meta.url).pathname);

const secretsSchema = z.object({
  clusterSecret: z.string().min(32),
  /** Added with data keys: a secrets file from before gets one on its next start. */
  dataKeys: z.string().min(35).optional(),
  adminApiToken: z.string().min(16),
});
type DevSecrets = Required<z.infer<typeof secretsSchema>>;

function fail(message: string): never {
  process.stderr.write(`dev cluster: ${message}\n`);
  process.exit(1);
}

function readOptions(): { basePort: number; dataRoot: string } {
  const { values } = parseArgs({
    options: {
      "base-port": { type: "string", default: "7101" },
      "data-dir": { type: "string", default: join(repoRoot, ".data") },
    },
  });
  const basePort = Number(values["base-port"]);
  if (!Number.isInteger(basePort) || basePort < 1024 || basePort + REDIS_PORT_OFFSET + 2 > 65535) {
    fail(`--base-port must be a whole number from 1024 to ${65535 - REDIS_PORT_OFFSET - 2}`);
  }
  return { basePort, dataRoot: resolve(values["data-dir"]) };
}

const { basePort, dataRoot } = readOptions();
const secretsFile = join(dataRoot, "dev-secrets.json");

/** Installs redis-server through apt-get when it is missing; the script says what it does. */
function ensureSystemPackages(): void {
  const script = join(repoRoot, "scripts", "ensure-system-packages.sh");
  const result = spawnSync("bash", [script], { stdio: "inherit" });
  if (result.status !== 0) fail(`${script} failed (exit ${result.status ?? result.signal})`);
}

/** The cluster's secrets: read from ./.data/dev-secrets.json, or generated and stored there once. */
async function loadOrCreateSecrets(): Promise<DevSecrets> {
  const stored = existsSync(secretsFile)
    ? secretsSchema.safeParse(JSON.parse(readFileSync(secretsFile, "utf8")))
    : undefined;
  if (stored && !stored.success)
    fail(`${secretsFile} is not valid; delete it to generate new secrets`);
  if (stored?.data?.dataKeys !== undefined)
    return { ...stored.data, dataKeys: stored.data.dataKeys };
  const secrets: DevSecrets = {
    clusterSecret: stored?.data?.clusterSecret ?? randomBytes(32).toString("hex"),
    dataKeys: formatDataKeys([newDataKey("k1")]),
    adminApiToken: stored?.data?.adminApiToken ?? randomBytes(24).toString("hex"),
  };
  await mkdir(dataRoot, { recursive: true });
  await writeFile(secretsFile, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return secrets;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolvePort) => {
    const server = createServer();
    server.once("error", () => resolvePort(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolvePort(true)));
  });
}

function printBanner(
  heading: string,
  secrets: DevSecrets,
  emulator: TelegramEmulator | undefined,
): void {
  const auth = `-H "Authorization: Bearer ${secrets.adminApiToken}"`;
  const urls = NODE_IDS.map((id, i) => `  ${id}  http://127.0.0.1:${basePort + i}`);
  const lines = [
    "",
    heading,
    ...urls,
    `Admin token: ${secrets.adminApiToken}   (stored in ${secretsFile})`,
    `Data: ${dataRoot}/<node>/ (delete .data to start from scratch)`,
    "",
    "Try:",
    `  curl -s ${auth} http://127.0.0.1:${basePort}/v1/status`,
    `  curl -s -X PUT ${auth} -H 'content-type: application/json' -d '{"value":"hello"}' http://127.0.0.1:${basePort + 1}/v1/settings/motd`,
    "    (writes go to the leader: a follower answers 421 NOT_LEADER with error.leaderUrl; send the same request there)",
    `  curl -s ${auth} http://127.0.0.1:${basePort + 2}/v1/settings/motd`,
    `  curl -s -X POST ${auth} -H 'content-type: application/json' -d '{}' http://127.0.0.1:${basePort}/v1/leadership/transfer`,
    `  curl -s http://127.0.0.1:${basePort}/metrics | grep '^nexaloak_raft'`,
    "",
    ...(emulator
      ? [
          `Telegram sandbox (no BOT_TOKEN): open ${new URL("/", emulator.url).href} and chat with the bot;`,
          `  as user id ${DEV_ADMIN_ID} you are an admin (try /servers, /metrics), any other id is a user.`,
          "",
        ]
      : ["The leader's bot talks to Telegram with BOT_TOKEN.", ""]),
    "Ctrl-C stops every node and Redis server started here.",
    "",
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}

/** Whether every node answers /readyz with 200: it has a leader and has caught up. */
async function allReady(): Promise<boolean> {
  const answers = await Promise.all(
    NODE_IDS.map((_, i) =>
      fetch(`http://127.0.0.1:${basePort + i}/readyz`, { signal: AbortSignal.timeout(2000) })
        .then((response) => response.ok)
        .catch(() => false),
    ),
  );
  return answers.every(Boolean);
}

/** Resolves true once the cluster is ready (and the sandbox's bot polls), false after READY_TIMEOUT_MS. */
async function waitUntilReady(emulator: TelegramEmulator | undefined): Promise<boolean> {
  const deadline = performance.now() + READY_TIMEOUT_MS;
  while (!(await allReady())) {
    if (performance.now() > deadline) return false;
    await sleep(READY_RECHECK_MS);
  }
  if (!emulator) return true;
  return emulator
    .waitForPolling(Math.max(0, deadline - performance.now()))
    .then(() => true)
    .catch(() => false);
}

async function main(): Promise<void> {
  ensureSystemPackages();
  const nodePorts = NODE_IDS.map((_, i) => basePort + i);
  const redisPorts = nodePorts.map((port) => port + REDIS_PORT_OFFSET);
  for (const port of [...nodePorts, ...redisPorts]) {
    if (!(await portIsFree(port))) {
      fail(`port ${port} on 127.0.0.1 is in use; stop what uses it or pick another --base-port`);
    }
  }
  const secrets = await loadOrCreateSecrets();
  const peers = NODE_IDS.map((id, i) => `${id}=ws://127.0.0.1:${nodePorts[i]}`).join(",");

  const redisServers: RedisServerHandle[] = [];
  const nodes: NodeProcess[] = [];
  let emulator: TelegramEmulator | undefined;
  let stopping: Promise<void> | undefined;
  const stopAll = (): Promise<void> => {
    stopping ??= (async () => {
      process.stdout.write("\nStopping the nodes, then their Redis servers...\n");
      await Promise.all(nodes.map((node) => node.stop(STOP_GRACE_MS)));
      // Ctrl-C in a terminal reaches the Redis servers too, so one may already be exiting.
      await Promise.all(redisServers.map((server) => server.stop().catch(() => undefined)));
      await emulator?.stop();
      const stopped = [
        `${nodes.length} node${nodes.length === 1 ? "" : "s"}`,
        `${redisServers.length} Redis server${redisServers.length === 1 ? "" : "s"}`,
        ...(emulator ? ["the Telegram sandbox"] : []),
      ];
      process.stdout.write(`All stopped: ${stopped.join(", ")}.\n`);
    })();
    return stopping;
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    void stopAll().then(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  let botEnv: Record<string, string>;
  if (process.env.BOT_TOKEN) {
    botEnv = { BOT_TOKEN: process.env.BOT_TOKEN };
    if (process.env.TELEGRAM_API_ROOT) botEnv.TELEGRAM_API_ROOT = process.env.TELEGRAM_API_ROOT;
    if (process.env.ADMIN_IDS) botEnv.ADMIN_IDS = process.env.ADMIN_IDS;
  } else {
    // The cluster remembers the update ids it handled across restarts; a fresh
    // emulator starts its ids above any earlier run's.
    emulator = await createTelegramEmulator({
      port: basePort + EMULATOR_PORT_OFFSET,
      firstUpdateId: Date.now(),
    });
    botEnv = {
      BOT_TOKEN: `${1_000_000_000 + randomBytes(3).readUIntBE(0, 3)}:${randomBytes(27).toString("base64url")}`,
      TELEGRAM_API_ROOT: emulator.apiRoot,
      ADMIN_IDS: process.env.ADMIN_IDS ?? DEV_ADMIN_ID,
    };
  }

  try {
    for (const [i, id] of NODE_IDS.entries()) {
      const dataDir = join(dataRoot, id);
      process.stdout.write(
        `Starting redis-server for ${id} on port ${redisPorts[i]} (data in ${dataDir})\n`,
      );
      redisServers.push(await startRedisServer({ port: redisPorts[i]!, dataDir }));
    }
    for (const [i, id] of NODE_IDS.entries()) {
      const dataDir = join(dataRoot, id);
      nodes.push(
        spawnNode({
          env: {
            NODE_ID: id,
            LISTEN: `127.0.0.1:${nodePorts[i]}`,
            PEERS: peers,
            REDIS_URL: redisServers[i]!.url,
            CLUSTER_SECRET: secrets.clusterSecret,
            DATA_KEYS: secrets.dataKeys,
            ADMIN_API_TOKEN: secrets.adminApiToken,
            LOG_LEVEL: "info",
            ...botEnv,
          },
          logFile: join(dataDir, "node.log"),
          cwd: dataDir,
          onLine: (line) => {
            if (line.trim() !== "") process.stdout.write(`${formatLogLine(id, line)}\n`);
          },
        }),
      );
    }
    await Promise.all(nodes.map((node) => node.waitForListening(START_TIMEOUT_MS)));
  } catch (error) {
    process.stderr.write(`dev cluster: ${(error as Error).message}\n`);
    await stopAll();
    process.exit(1);
  }
  printBanner("NexaLoak dev cluster is up (electing a leader):", secrets, emulator);
  // Start-up lines scroll the banner away: once ready, it comes again below them.
  void waitUntilReady(emulator).then((ready) => {
    if (stopping) return;
    if (ready) printBanner("NexaLoak dev cluster is ready:", secrets, emulator);
    else
      process.stderr.write(
        `dev cluster: not ready after ${READY_TIMEOUT_MS / 1000} s; see the node logs under ${dataRoot}\n`,
      );
  });

  // The children do not hold this process open (see node-process.ts); this does, until a signal.
  setInterval(() => undefined, 60_000);
  // A node that dies on its own takes the dev cluster down with it, loudly.
  await Promise.race(
    nodes.map(async (node, i) => {
      const exit = await node.exited;
      if (stopping) return;
      process.stderr.write(
        `dev cluster: ${NODE_IDS[i]} exited (code ${exit.code}, signal ${exit.signal}); see ${join(dataRoot, NODE_IDS[i]!, "node.log")}\n`,
      );
      await stopAll();
      process.exit(1);
    }),
  );
}

await main();
