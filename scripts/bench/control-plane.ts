/**
 * `npm run bench:control-plane`: what the control plane costs.
 *
 * 1. The replicated state at fleet scale, in this process: 100 000 users with
 *    200 000 configs on 8 servers, applied as committed commands; snapshot
 *    time and size, restore time, and this process's RSS along the way.
 * 2. Configs issued per second through the admin API of a three-node cluster
 *    on 127.0.0.1 (durable Redis, appendfsync always), every request for a
 *    new user, spread over all three nodes, with 1 and 32 concurrent clients
 *    for 10 s each; latency p50 and p99. Then the same with Shadowsocks
 *    configs (every node offers Shadowsocks with the dry-run driver: this is
 *    the control plane's cost, a port and a password per config).
 * 3. Shadowsocks port added to first byte through it: ss-manager on
 *    127.0.0.1 through the node's driver (see shadowsocks-first-byte.ts).
 *
 * Options: --users 100000  --configs-per-user 2  --servers 8
 *          --duration-s 10  --concurrency 1,32
 *          --heartbeat-ms 50  --election-timeout-ms 300  --first-byte-samples 20
 */
import { parseArgs } from "node:util";
import { startCluster, waitUntil } from "../lib/cluster-harness.ts";
import { ControlPlaneClient } from "../lib/control-plane-client.ts";
import { positiveInteger } from "./cli-args.ts";
import { runIssueLoad } from "./config-issuing-load.ts";
import { measureStateAtScale } from "./control-plane-state-scale.ts";
import { measureFirstByte } from "./shadowsocks-first-byte.ts";
import { cell, formatTable } from "./stats.ts";

const { values: args } = parseArgs({
  options: {
    users: { type: "string", default: "100000" },
    "configs-per-user": { type: "string", default: "2" },
    servers: { type: "string", default: "8" },
    "duration-s": { type: "string", default: "10" },
    concurrency: { type: "string", default: "1,32" },
    "heartbeat-ms": { type: "string", default: "50" },
    "election-timeout-ms": { type: "string", default: "300" },
    "first-byte-samples": { type: "string", default: "20" },
  },
});

const users = positiveInteger("users", args.users);
const configsPerUser = positiveInteger("configs-per-user", args["configs-per-user"]);
const servers = positiveInteger("servers", args.servers);
const durationMs = positiveInteger("duration-s", args["duration-s"]) * 1000;
const concurrencies = args.concurrency
  .split(",")
  .map((text) => positiveInteger("concurrency", text.trim()));
const heartbeatMs = positiveInteger("heartbeat-ms", args["heartbeat-ms"]);
const electionTimeoutMs = positiveInteger("election-timeout-ms", args["election-timeout-ms"]);
const firstByteSamples = positiveInteger("first-byte-samples", args["first-byte-samples"]);
/** Every server of the benchmark cluster takes this many configs (the most a /16 holds). */
const BENCH_SERVER_CAPACITY = 65_532;

function megabytes(bytes: number): string {
  return cell(bytes / (1024 * 1024), 1);
}

process.stdout.write(
  `Replicated state: ${users} users with ${configsPerUser} configs each on ${servers} servers, in one process.\n`,
);
const scale = measureStateAtScale({ users, configsPerUser, servers });
if (!scale.hashMatches) {
  process.stderr.write("the restored state does not hash like the original\n");
  process.exit(1);
}
process.stdout.write(
  `\n${formatTable(
    ["users", "configs", "apply/s", "snapshot ms", "snapshot MB", "restore ms"],
    [
      [
        String(scale.users),
        String(scale.configs),
        cell((scale.commands * 1000) / scale.applyMs, 0),
        cell(scale.snapshotMs, 0),
        megabytes(scale.snapshotBytes),
        cell(scale.restoreMs, 0),
      ],
    ],
  )}\n\n${formatTable(
    ["process RSS", "MB"],
    [
      ["before", megabytes(scale.rss.before)],
      ["state built", megabytes(scale.rss.built)],
      ["+ snapshot taken", megabytes(scale.rss.snapshotted)],
      ["+ restored copy", megabytes(scale.rss.restored)],
    ],
  )}\n`,
);

process.stdout.write(
  `\nConfigs issued through the admin API: 3 nodes on 127.0.0.1, durable Redis, a new user per request, requests spread over every node, ${durationMs / 1000} s per run.\n`,
);
const cluster = await startCluster({
  size: 3,
  heartbeatMs,
  electionTimeoutMs,
  env: {
    PUBLIC_HOST: "127.0.0.1",
    SERVER_CAPACITY: String(BENCH_SERVER_CAPACITY),
    PROTOCOLS: "wireguard,shadowsocks",
    SS_DRIVER: "dry-run",
    // Below the kernel's ephemeral ports, where the nodes listen; the dry run binds none.
    SS_PORTS: "2000-31999",
  },
});
const rows: string[][] = [];
try {
  await cluster.leader({ timeoutMs: 30_000 });
  const api = new ControlPlaneClient(cluster.nodes[0]!.url, cluster.adminApiToken);
  await waitUntil(
    async () => {
      const listed = await api.servers();
      return (
        listed.ok && listed.value.filter((server) => server.endpointHost !== null).length === 3
      );
    },
    30_000,
    "every node to register its server",
  );
  let nextUserId = 1_000_000;
  for (const [protocol, concurrency] of ["wireguard", "shadowsocks"].flatMap((name) =>
    concurrencies.map((clients) => [name, clients] as const),
  )) {
    const result = await runIssueLoad({
      nodeUrls: cluster.nodes.map((node) => node.url),
      adminApiToken: cluster.adminApiToken,
      concurrency,
      durationMs,
      firstUserId: nextUserId,
      protocol,
    });
    nextUserId = result.nextUserId;
    const errors = [...result.errors].map(([code, count]) => `${code} ${count}`).join(", ");
    rows.push([
      protocol,
      String(concurrency),
      String(result.issued),
      cell(result.issuedPerSecond, 0),
      cell(result.latencyMs.p50, 1),
      cell(result.latencyMs.p99, 1),
      errors === "" ? "0" : errors,
    ]);
    process.stdout.write(
      `  ${protocol}, ${concurrency} client(s): ${result.issued} configs, ${cell(result.issuedPerSecond, 0)}/s\n`,
    );
  }
} finally {
  await cluster.stop();
}
process.stdout.write(
  `\n${formatTable(["protocol", "clients", "issued", "configs/s", "p50 ms", "p99 ms", "errors"], rows)}\n`,
);

process.stdout.write(
  `\nShadowsocks port added to first byte through it (ss-manager on 127.0.0.1, ${firstByteSamples} ports):\n`,
);
const firstByte = await measureFirstByte(firstByteSamples);
process.stdout.write(
  `\n${formatTable(
    ["ports", "p50 ms", "p90 ms", "max ms"],
    [
      [
        String(firstByte.count),
        cell(firstByte.p50, 1),
        cell(firstByte.p90, 1),
        cell(firstByte.max, 1),
      ],
    ],
  )}\n`,
);
