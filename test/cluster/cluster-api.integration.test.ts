/**
 * The admin API of the control plane on a real three-node cluster (node
 * processes, each with its own durable redis-server): servers registered by
 * every node, writes answered by the leader only (a follower names it, and
 * the client sends the write there), configs issued through any node with a
 * `.conf` that points at the right server, idempotent retries across nodes
 * and across a SIGKILL of the leader, revocation, a ban that re-homes users,
 * and every error status the API promises.
 *
 * One cluster serves the whole file, so the tests run in order and later ones
 * build on what earlier ones issued. n3 sits alone in region `edge` with room
 * for a single config; n1 and n2 are in `default` with the default capacity.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  type Cluster,
  type HarnessNode,
  startCluster,
  waitUntil,
} from "../../scripts/lib/cluster-harness.ts";
import type { ConfigView, ServerView } from "../../scripts/lib/control-plane-client.ts";
import { requestJson } from "../../scripts/lib/http-json.ts";
import { replicatedStateAt } from "../../scripts/lib/replicated-state.ts";
import { sleep } from "../../shared/sleep.ts";
import { parseConf } from "../support/parse-conf.ts";
import {
  apiOf,
  describeFailure,
  inSubnet,
  issueRetrying,
  serversWhen,
  subnetsOverlap,
  succeeded,
} from "./support/control-plane-api.ts";

const PUBLIC_HOST = "127.0.0.1";
const WG_PORTS: Record<string, number> = { n1: 51821, n2: 51822, n3: 51823 };
/** The node's own limit on live configs per user, while the setting is unset. */
const DEFAULT_CONFIGS_PER_USER = 3;
/** Retrying an issue across a failover: an election takes about a second here. */
const FAILOVER_RETRY_MS = 20_000;

let cluster: Cluster;

test.before(async () => {
  cluster = await startCluster({
    size: 3,
    env: { PUBLIC_HOST },
    nodeEnv: {
      n1: { WG_PORT: String(WG_PORTS.n1) },
      n2: { WG_PORT: String(WG_PORTS.n2) },
      n3: { WG_PORT: String(WG_PORTS.n3), SERVER_REGION: "edge", SERVER_CAPACITY: "1" },
    },
  });
});

test.after(async () => {
  await cluster?.stop();
});

/** A test on the shared cluster; on failure the nodes' last output goes to stderr. */
function clusterTest(name: string, body: () => Promise<void>): void {
  test(name, async () => {
    try {
      await body();
    } catch (error) {
      process.stderr.write(`\n${cluster.logTails(30)}\n`);
      throw error;
    }
  });
}

function followersOf(leader: HarnessNode): HarnessNode[] {
  return cluster.nodes.filter((node) => node !== leader && node.running);
}

async function serverById(id: string): Promise<ServerView> {
  const servers = succeeded(await apiOf(cluster, cluster.nodes[0]!).servers(), "GET /v1/servers");
  const server = servers.find((candidate) => candidate.id === id);
  if (!server) throw new Error(`no server ${id} in ${JSON.stringify(servers)}`);
  return server;
}

async function configsOf(userId: string, via: HarnessNode = cluster.nodes[0]!) {
  return succeeded(await apiOf(cluster, via).configsOf(userId), `GET configs of ${userId}`);
}

function live(configs: readonly ConfigView[]): ConfigView[] {
  return configs.filter((config) => config.revokedAt === null);
}

clusterTest(
  "GET /v1/servers lists every node's server, active, with its own subnet, its endpoint and its port",
  async () => {
    const leader = await cluster.leader();
    const servers = await serversWhen(
      apiOf(cluster, leader),
      (list) => list.length === 3 && list.every((server) => server.endpointHost !== null),
      15_000,
      "three registered servers with endpoints",
    );
    assert.equal(
      servers.map((server) => server.id),
      ["n1", "n2", "n3"],
    );
    for (const server of servers) {
      assert.is(server.status, "active", `${server.id} is active`);
      assert.is(server.endpointHost, PUBLIC_HOST);
      assert.is(server.listenPort, WG_PORTS[server.id]);
      assert.is(server.apiPort, cluster.node(server.id).port);
      assert.ok(inSubnet(server.tunnelAddress, server.subnet), `${server.id}'s own address`);
      assert.match(server.publicKey, /^[A-Za-z0-9+/]{43}=$/);
      assert.is(server.liveConfigs, 0);
    }
    for (const [i, a] of servers.entries()) {
      for (const b of servers.slice(i + 1)) {
        assert.not.ok(subnetsOverlap(a.subnet, b.subnet), `${a.subnet} and ${b.subnet} overlap`);
      }
    }
    assert.equal(
      servers.map((server) => [server.region, server.capacity]),
      [
        ["default", 250],
        ["default", 250],
        ["edge", 1],
      ],
    );
    // A follower answers the same list: reads are linearizable on every node.
    const [follower] = followersOf(leader);
    const seenByFollower = succeeded(await apiOf(cluster, follower!).servers(), "follower's list");
    assert.equal(
      seenByFollower.map((server) => [server.id, server.subnet]),
      servers.map((server) => [server.id, server.subnet]),
    );
  },
);

clusterTest(
  "an admin write sent to a follower is answered 421 NOT_LEADER with the leader's id and API URL, before its body is read, and changes nothing",
  async () => {
    const leader = await cluster.leader();
    const [follower] = followersOf(leader);
    const writes: Array<{ method: "POST" | "PUT" | "DELETE"; path: string; rawBody?: string }> = [
      { method: "POST", path: "/v1/servers/n3/ban", rawBody: '{"reason":"forged"}' },
      { method: "POST", path: "/v1/servers/n3/drain", rawBody: "not even JSON" },
      { method: "POST", path: "/v1/servers/n3/check" },
      { method: "PUT", path: "/v1/settings/configsPerUser", rawBody: '{"value":"99"}' },
      { method: "POST", path: "/v1/users/2701/configs", rawBody: "{}" },
      { method: "DELETE", path: "/v1/configs/anything" },
      { method: "POST", path: "/v1/probes", rawBody: "{}" },
      { method: "DELETE", path: "/v1/probes/p1" },
      { method: "PUT", path: "/v1/members/n3/key", rawBody: "{}" },
      { method: "DELETE", path: "/v1/members/n3/key" },
    ];
    for (const write of writes) {
      const response = await requestJson(`${follower!.url}${write.path}`, {
        method: write.method,
        bearerToken: cluster.adminApiToken,
        ...(write.rawBody === undefined ? {} : { rawBody: write.rawBody }),
      });
      const what = `${write.method} ${write.path}: ${response.text}`;
      assert.is(response.status, 421, what);
      assert.equal(
        response.body,
        {
          error: {
            code: "NOT_LEADER",
            message: `writes go to the leader, ${leader.id} at ${leader.url}; send the same request there`,
            leaderId: leader.id,
            leaderUrl: leader.url,
          },
        },
        what,
      );
    }
    assert.is((await serverById("n3")).status, "active", "n3 was neither banned nor drained");
    const setting = await leader.client.getSetting("configsPerUser");
    assert.is(setting.ok ? "set" : setting.error.code, "NOT_FOUND", "no setting was written");
    const user = await apiOf(cluster, leader).configsOf("2701");
    assert.is(user.ok ? "created" : user.error.code, "UNKNOWN_USER", "no user was created");
    const keys = succeeded(await leader.client.memberKeys(), "member keys");
    assert.equal(keys.revoked, [], "no identity key was revoked");

    const unauthenticated = await requestJson(`${follower!.url}/v1/servers/n3/ban`, {
      method: "POST",
    });
    assert.is(unauthenticated.status, 401, "the token is checked before anything else");
  },
);

clusterTest(
  "a client that follows a follower's NOT_LEADER hint gets its writes done by the leader",
  async () => {
    const leader = await cluster.leader();
    const [follower] = followersOf(leader);
    const put = await follower!.client.putSetting("greeting", "salaam");
    assert.ok(put.ok, JSON.stringify(put));
    const read = await follower!.client.getSetting("greeting");
    assert.equal(read.ok && read.value, { key: "greeting", value: "salaam" });
    const api = apiOf(cluster, follower!);
    const drained = succeeded(await api.changeServer("n3", "drain", "maintenance"), "drain");
    assert.equal([drained.status, drained.statusReason], ["draining", "maintenance"]);
    const active = succeeded(await api.changeServer("n3", "activate"), "activate");
    assert.is(active.status, "active");
  },
);

clusterTest(
  "POST /v1/servers/:id/check probes a server at once and commits its verdict; bad ids are refused",
  async () => {
    const leader = await cluster.leader();
    const api = apiOf(cluster, leader);
    const checked = await api.call("POST", "/v1/servers/n1/check", {});
    assert.is(checked.status, 200, checked.text);
    const body = checked.body as { verdict?: string; evidence?: string; round?: number };
    // Every node listens on 127.0.0.1: the control's TCP probe of its API port succeeds.
    assert.is(body.verdict, "ok", checked.text);
    // The round is the newest recorded (the leader's catch-up round may have come first).
    const n1 = await serverById("n1");
    assert.equal(n1.checks.recent.map((result) => [result.round, result.verdict]).at(-1), [
      body.round,
      "ok",
    ]);
    const metrics = await (await fetch(`${leader.url}/metrics`)).text();
    assert.match(
      metrics,
      /nexaloak_ban_check_verdicts_total\{verdict="ok",transition="none"\} [1-9]/,
    );
    const unknown = await api.call("POST", "/v1/servers/n9/check", {});
    assert.is(unknown.status, 404, unknown.text);
    const malformed = await api.call("POST", "/v1/servers/N%20one/check", {});
    assert.is(malformed.status, 400, malformed.text);
  },
);

clusterTest(
  "POST /v1/users/:id/configs answers 201 with the config and a .conf for the chosen server: its key, its endpoint, an address in its subnet",
  async () => {
    const leader = await cluster.leader();
    const [follower] = followersOf(leader);
    const issued = succeeded(await apiOf(cluster, follower!).issueConfig("2001"), "issue");
    assert.is(issued.replayed, false);
    assert.is(issued.config.userId, "2001");
    assert.is(issued.config.protocol, "wireguard");
    assert.is(issued.config.revokedAt, null);
    assert.ok(
      issued.config.expiresAt !== null && issued.config.expiresAt > issued.config.createdAt,
    );
    const server = await serverById(issued.config.serverId);
    assert.ok(inSubnet(issued.config.address, server.subnet), "address inside the server's subnet");
    assert.is.not(issued.config.address, server.tunnelAddress);

    const conf = parseConf(issued.conf ?? "");
    assert.match(conf.interface.PrivateKey ?? "", /^[A-Za-z0-9+/]{43}=$/);
    assert.is(conf.interface.Address, `${issued.config.address}/32`);
    assert.ok(conf.interface.DNS, "DNS is set");
    assert.is(conf.peers.length, 1);
    const [peer] = conf.peers;
    assert.is(peer?.PublicKey, server.publicKey);
    assert.match(peer?.PresharedKey ?? "", /^[A-Za-z0-9+/]{43}=$/);
    assert.is(peer?.Endpoint, `${server.endpointHost}:${server.listenPort}`);
    assert.ok(peer?.AllowedIPs?.split(/,\s*/).includes("0.0.0.0/0"), "all IPv4 through the tunnel");

    const configs = await configsOf("2001", leader);
    assert.equal(
      configs.map((config) => config.id),
      [issued.config.id],
    );
  },
);

clusterTest(
  "a region without room gets 409 NO_CAPACITY_IN_REGION, and an unknown region too",
  async () => {
    const api = apiOf(cluster, cluster.nodes[1]!);
    const first = succeeded(await api.issueConfig("2101", { region: "edge" }), "issue in edge");
    assert.is(first.config.serverId, "n3", "the only server in edge");
    const full = await api.issueConfig("2102", { region: "edge" });
    assert.not.ok(full.ok);
    assert.is(full.ok ? 0 : full.error.status, 409);
    assert.is(full.ok ? "" : full.error.code, "NO_CAPACITY_IN_REGION");
    const nowhere = await api.issueConfig("2102", { region: "mars" });
    assert.is(nowhere.ok ? 0 : nowhere.error.status, 409);
    assert.is(nowhere.ok ? "" : nowhere.error.code, "NO_CAPACITY_IN_REGION");
    assert.equal(live(await configsOf("2102")), [], "nothing was issued to 2102");
    assert.is((await serverById("n3")).liveConfigs, 1);
  },
);

clusterTest(
  "the same Idempotency-Key sent to another node returns the same config with Idempotent-Replayed: true, without its erased private key, and the user has one config",
  async () => {
    const [n1, n2, n3] = cluster.nodes as [HarnessNode, HarnessNode, HarnessNode];
    const first = succeeded(
      await apiOf(cluster, n1).issueConfig("2201", { idempotencyKey: "order-2201" }),
      "first issue",
    );
    assert.is(first.replayed, false);
    assert.ok(first.conf !== null, "the first answer carries the .conf");
    // Answered: the key is erased through Raft a moment later, on every node.
    await waitUntil(
      async () => {
        const replay = await apiOf(cluster, n2).issueConfig("2201", {
          idempotencyKey: "order-2201",
        });
        return replay.ok && replay.value.conf === null;
      },
      5_000,
      "the key erased after the answer",
    );
    for (const node of [n2, n3, n1]) {
      const again = succeeded(
        await apiOf(cluster, node).issueConfig("2201", { idempotencyKey: "order-2201" }),
        `retry via ${node.id}`,
      );
      assert.is(again.replayed, true, `${node.id} says it replayed`);
      assert.equal(again.config, first.config);
      assert.is(again.conf, null, "the private key left with the first answer");
      assert.is(again.confMissing?.code, "KEYS_ERASED");
    }
    assert.equal(
      (await configsOf("2201", n3)).map((config) => config.id),
      [first.config.id],
    );

    const otherUser = await apiOf(cluster, n2).issueConfig("2202", {
      idempotencyKey: "order-2201",
    });
    assert.is(otherUser.ok ? 0 : otherUser.error.status, 409, "a key belongs to one user");
    assert.is(otherUser.ok ? "" : otherUser.error.code, "IDEMPOTENCY_KEY_REUSED");
    assert.equal(live(await configsOf("2202")), []);
  },
);

clusterTest(
  `a user with ${DEFAULT_CONFIGS_PER_USER} live configs gets 409 CONFIG_LIMIT_REACHED and nothing more; revoking one makes room`,
  async () => {
    const api = apiOf(cluster, cluster.nodes[2]!);
    const issued: ConfigView[] = [];
    for (let i = 0; i < DEFAULT_CONFIGS_PER_USER; i++) {
      issued.push(succeeded(await api.issueConfig("2301"), `config ${i + 1}`).config);
    }
    assert.is(new Set(issued.map((config) => config.address)).size, issued.length);
    const over = await api.issueConfig("2301");
    assert.is(over.ok ? 0 : over.error.status, 409);
    assert.is(over.ok ? "" : over.error.code, "CONFIG_LIMIT_REACHED");
    assert.is((await configsOf("2301")).length, DEFAULT_CONFIGS_PER_USER);

    succeeded(await api.revokeConfig(issued[0]!.id), "revoke");
    const afterRevoke = succeeded(await api.issueConfig("2301"), "issue after a revoke");
    assert.is(live(await configsOf("2301")).length, DEFAULT_CONFIGS_PER_USER);
    assert.ok(!issued.some((config) => config.id === afterRevoke.config.id));
  },
);

clusterTest(
  "DELETE /v1/configs/:id revokes: the config shows when, the user keeps its record, a second DELETE is 409",
  async () => {
    const [n1, n2] = cluster.nodes as [HarnessNode, HarnessNode];
    const issued = succeeded(await apiOf(cluster, n1).issueConfig("2401"), "issue").config;
    const before = (await serverById(issued.serverId)).liveConfigs;
    const revoked = succeeded(await apiOf(cluster, n2).revokeConfig(issued.id), "revoke");
    assert.is(revoked.id, issued.id);
    assert.ok(revoked.revokedAt !== null && revoked.revokedAt >= issued.createdAt);
    assert.type(revoked.revokeReason, "string");
    const [listed] = await configsOf("2401");
    assert.equal(listed, revoked, "GET shows the config revoked");
    assert.is((await serverById(issued.serverId)).liveConfigs, before - 1);

    const again = await apiOf(cluster, n1).revokeConfig(issued.id);
    assert.is(again.ok ? 0 : again.error.status, 409);
    assert.is(again.ok ? "" : again.error.code, "CONFIG_ALREADY_REVOKED");
  },
);

clusterTest(
  "banning a server through the API re-homes each of its users: the old config revoked as server_banned, a new live one on a healthy server",
  async () => {
    const api = apiOf(cluster, cluster.nodes[1]!);
    const users = ["2001", "2201", "2301", "2501"];
    // 2501 is new; its config lands on the least loaded server, whichever that is.
    succeeded(await api.issueConfig("2501"), "issue for 2501");
    const banned = "n1";
    const liveBefore = new Map<string, ConfigView[]>();
    for (const user of users) liveBefore.set(user, live(await configsOf(user)));
    const onBanned = [...liveBefore.values()].flat().filter((config) => config.serverId === banned);
    assert.ok(onBanned.length >= 2, `at least two configs on ${banned} (${onBanned.length})`);

    const server = succeeded(await api.changeServer(banned, "ban", "filtered in test"), "ban");
    assert.is(server.status, "banned");
    assert.is(server.statusReason, "filtered in test");
    assert.is(server.liveConfigs, 0);

    const n2 = await serverById("n2");
    for (const [userId, before] of liveBefore) {
      const moved = before.filter((config) => config.serverId === banned);
      if (moved.length === 0) continue;
      const configs = await configsOf(userId, cluster.nodes[2]!);
      for (const old of moved) {
        const now = configs.find((config) => config.id === old.id);
        assert.ok(now && now.revokedAt !== null, `${old.id} is revoked`);
        assert.is(now?.revokeReason, "server_banned");
      }
      assert.is(live(configs).length, before.length, `${userId} has as many live configs`);
      const replacements = live(configs).filter(
        (config) => !before.some((earlier) => earlier.id === config.id),
      );
      assert.is(replacements.length, moved.length, `one replacement per config of ${userId}`);
      for (const replacement of replacements) {
        // n3 is full, so n2 is the only healthy server with room.
        assert.is(replacement.serverId, "n2");
        assert.ok(inSubnet(replacement.address, n2.subnet));
      }
    }
    const afterBan = succeeded(await api.issueConfig("2502"), "issue while n1 is banned").config;
    assert.is.not(afterBan.serverId, banned, "a banned server gets no new config");

    const unbanned = succeeded(await api.changeServer(banned, "unban"), "unban");
    assert.is(unbanned.status, "active");
  },
);

clusterTest(
  "bad input gets 400 and changes nothing: garbage JSON, unknown fields, wrong types, bad ids and keys",
  async () => {
    const api = apiOf(cluster, cluster.nodes[0]!);
    const n2LiveConfigsBefore = (await serverById("n2")).liveConfigs;
    const cases: Array<{
      what: string;
      method: "POST" | "DELETE" | "GET";
      path: string;
      rawBody?: string;
      headers?: Record<string, string>;
      code: string;
    }> = [
      {
        what: "garbage JSON",
        method: "POST",
        path: "/v1/users/2901/configs",
        rawBody: "{region:",
        code: "INVALID_JSON",
      },
      {
        what: "an unknown field",
        method: "POST",
        path: "/v1/users/2901/configs",
        rawBody: '{"region":"default","admin":true}',
        code: "INVALID_BODY",
      },
      {
        what: "a number for region",
        method: "POST",
        path: "/v1/users/2901/configs",
        rawBody: '{"region":5}',
        code: "INVALID_BODY",
      },
      {
        what: "an array body",
        method: "POST",
        path: "/v1/users/2901/configs",
        rawBody: "[]",
        code: "INVALID_BODY",
      },
      {
        what: "a region with spaces",
        method: "POST",
        path: "/v1/users/2901/configs",
        rawBody: '{"region":"e u"}',
        code: "INVALID_BODY",
      },
      {
        what: "a user id that is not a number",
        method: "POST",
        path: "/v1/users/alice/configs",
        code: "INVALID_USER_ID",
      },
      { what: "user id 0", method: "POST", path: "/v1/users/0/configs", code: "INVALID_USER_ID" },
      {
        what: "a negative user id",
        method: "GET",
        path: "/v1/users/-5/configs",
        code: "INVALID_USER_ID",
      },
      {
        what: "a 21-digit user id",
        method: "POST",
        path: `/v1/users/${"9".repeat(21)}/configs`,
        code: "INVALID_USER_ID",
      },
      {
        what: "a bad Idempotency-Key",
        method: "POST",
        path: "/v1/users/2901/configs",
        headers: { "idempotency-key": "no spaces allowed" },
        code: "INVALID_IDEMPOTENCY_KEY",
      },
      {
        what: "a config id with a dot",
        method: "DELETE",
        path: "/v1/configs/a.b",
        code: "INVALID_CONFIG_ID",
      },
      {
        what: "a server id that is not a node id",
        method: "POST",
        path: "/v1/servers/N%20one/ban",
        rawBody: "{}",
        code: "INVALID_SERVER_ID",
      },
      {
        what: "an unknown field in a ban",
        method: "POST",
        path: "/v1/servers/n2/ban",
        rawBody: '{"reason":"x","force":true}',
        code: "INVALID_BODY",
      },
      {
        what: "a number as ban reason",
        method: "POST",
        path: "/v1/servers/n2/ban",
        rawBody: '{"reason":42}',
        code: "INVALID_BODY",
      },
    ];
    for (const request of cases) {
      const response = await api.call(request.method, request.path, {
        ...(request.rawBody === undefined ? {} : { rawBody: request.rawBody }),
        ...(request.headers === undefined ? {} : { headers: request.headers }),
      });
      assert.is(response.status, 400, `${request.what}: ${response.status} ${response.text}`);
      const body = response.body as { error?: { code?: unknown; message?: unknown } };
      assert.is(body.error?.code, request.code, request.what);
      assert.type(body.error?.message, "string");
    }
    const unknownUser = await api.configsOf("2901");
    assert.is(unknownUser.ok ? 0 : unknownUser.error.code, "UNKNOWN_USER", "no user was created");
    const n2 = await serverById("n2");
    assert.is(n2.status, "active", "n2 was not banned");
    assert.is(n2.liveConfigs, n2LiveConfigsBefore);
  },
);

clusterTest("without the admin token every /v1 call is 401 and nothing happens", async () => {
  const node = cluster.nodes[0]!;
  const calls = [
    { method: "GET" as const, path: "/v1/servers" },
    { method: "POST" as const, path: "/v1/users/2902/configs" },
    { method: "POST" as const, path: "/v1/servers/n2/ban" },
    { method: "DELETE" as const, path: "/v1/configs/anything" },
  ];
  for (const { method, path } of calls) {
    for (const bearerToken of [undefined, "not-the-admin-token-at-all"]) {
      const response = await requestJson(`${node.url}${path}`, {
        method,
        ...(bearerToken === undefined ? {} : { bearerToken }),
      });
      assert.is(response.status, 401, `${method} ${path} with ${bearerToken ?? "no"} token`);
      assert.is((response.body as { error?: { code?: string } }).error?.code, "UNAUTHORIZED");
    }
  }
  const user = await apiOf(cluster, node).configsOf("2902");
  assert.is(user.ok ? 0 : user.error.status, 404, "no user was created");
  assert.is((await serverById("n2")).status, "active");
});

clusterTest("unknown things are 404: a config, a user's configs, a server", async () => {
  const api = apiOf(cluster, cluster.nodes[1]!);
  const config = await api.revokeConfig("doesNotExist123");
  assert.is(config.ok ? 0 : config.error.status, 404);
  assert.is(config.ok ? "" : config.error.code, "UNKNOWN_CONFIG");
  const user = await api.configsOf("2903");
  assert.is(user.ok ? 0 : user.error.status, 404);
  assert.is(user.ok ? "" : user.error.code, "UNKNOWN_USER");
  const server = await api.changeServer("n9", "drain");
  assert.is(server.ok ? 0 : server.error.status, 404);
  assert.is(server.ok ? "" : server.error.code, "UNKNOWN_SERVER");
});

clusterTest(
  "every node's Redis holds a log that rebuilds the same control-plane state",
  async () => {
    const leader = await cluster.leader();
    const commitIndex = (await leader.status()).commitIndex;
    let hashes: string[] = [];
    // A follower may not have written the last entries yet; they arrive within a heartbeat or two.
    await cluster.waitUntil(
      async () => {
        hashes = await Promise.all(
          cluster.nodes.map(async (node) => {
            const state = await replicatedStateAt(
              { redisUrl: node.redis.url, nodeId: node.id },
              commitIndex,
            );
            return state.stateHash();
          }),
        );
        return true;
      },
      10_000,
      `every node to hold its log through index ${commitIndex}`,
    );
    assert.is(new Set(hashes).size, 1, `state hashes differ: ${hashes.join(" ")}`);
  },
);

clusterTest(
  "a retry with the same Idempotency-Key after SIGKILL of the leader returns the same config, from a surviving node, and never a second",
  async () => {
    const leader = await cluster.leader();
    const first = succeeded(
      await apiOf(cluster, leader).issueConfig("3001", { idempotencyKey: "kill-3001" }),
      "issue through the leader",
    );
    await leader.kill("SIGKILL");
    const retried = await issueRetrying(cluster, "3001", "kill-3001", FAILOVER_RETRY_MS);
    const again = succeeded(retried.result, "retry after the kill");
    assert.is(again.replayed, true);
    assert.equal(again.config, first.config);
    // The leader may have died before it committed the erase: then the key is still held.
    assert.ok(
      again.conf === first.conf || again.confMissing?.code === "KEYS_ERASED",
      `the same .conf, or none because its key was erased (${again.confMissing?.code})`,
    );
    const configs = await configsOf("3001", cluster.nodes.find((node) => node.running)!);
    assert.equal(
      configs.map((config) => config.id),
      [first.config.id],
    );
    await leader.restart();
    await leader.waitForReady(20_000);
  },
);

clusterTest(
  "a request in flight when the leader is SIGKILLed, retried with its key until a node answers, ends with exactly one config",
  async () => {
    const leader = await cluster.leader();
    const inFlight = apiOf(cluster, leader).issueConfig("3002", {
      idempotencyKey: "inflight-3002",
    });
    // Somewhere between "not yet received" and "committed but not answered".
    await sleep(Math.floor(Math.random() * 15));
    await leader.kill("SIGKILL");
    const firstAnswer = await inFlight;
    const retried = await issueRetrying(cluster, "3002", "inflight-3002", FAILOVER_RETRY_MS);
    const config = succeeded(retried.result, "retry after the kill").config;
    if (firstAnswer.ok) assert.equal(firstAnswer.value.config, config, "the first answer stands");
    const survivor = cluster.nodes.find((node) => node.running)!;
    const configs = await configsOf("3002", survivor);
    assert.equal(
      configs.map((listed) => listed.id),
      [config.id],
      `one config; first answer ${describeFailure(firstAnswer)}, ${retried.attempts} attempt(s)`,
    );
    process.stdout.write(
      `  in-flight request: ${firstAnswer.ok ? `answered ${firstAnswer.value.config.id}` : describeFailure(firstAnswer)}; retry answered after ${retried.attempts} attempt(s)\n`,
    );
    // Once more through every survivor: still the same config.
    for (const node of cluster.nodes.filter((candidate) => candidate.running)) {
      const replay = succeeded(
        await apiOf(cluster, node).issueConfig("3002", { idempotencyKey: "inflight-3002" }),
        `replay via ${node.id}`,
      );
      assert.is(replay.config.id, config.id);
      assert.is(replay.replayed, true);
    }
  },
);

clusterTest(
  "the single survivor of a three-node cluster answers 503 with Retry-After while no leader is known",
  async () => {
    const running = cluster.nodes.filter((node) => node.running);
    assert.is(running.length, 2, "one node is still down from the previous test");
    const [victim, survivor] = running as [HarnessNode, HarnessNode];
    await victim.kill("SIGKILL");
    // Until it notices (its socket to the victim closes), the survivor still names the
    // victim as leader and a write would be pointed at it.
    await cluster.waitUntil(
      async () => {
        const status = await survivor.probe.status();
        return status.ok && status.value.leaderId !== victim.id;
      },
      10_000,
      `${survivor.id} to stop naming ${victim.id} as leader`,
    );
    const api = apiOf(cluster, survivor);
    const startedAt = Date.now();
    const issue = await api.issueConfig("3003", { idempotencyKey: "alone-3003" });
    assert.not.ok(issue.ok, "no config without a majority");
    assert.is(issue.ok ? 0 : issue.error.status, 503, describeFailure(issue));
    assert.ok(!issue.ok && issue.error.retryAfterMs !== undefined, "Retry-After is set");
    const servers = await api.servers();
    assert.is(servers.ok ? 0 : servers.error.status, 503, "reads need a leader too");
    assert.ok(!servers.ok && servers.error.retryAfterMs !== undefined);
    const elapsedMs = Date.now() - startedAt;
    process.stdout.write(`  survivor refused with ${describeFailure(issue)} (${elapsedMs} ms)\n`);
    assert.ok(elapsedMs < 15_000, `answered within the node's request timeout (${elapsedMs} ms)`);
  },
);

test.run();
