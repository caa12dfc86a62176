/**
 * Disaster recovery end to end, with real node processes: a three-node
 * cluster with users, configs and settings makes a backup (GET /v1/backup),
 * is destroyed with every Redis, and a new cluster is founded from the file
 * with `npm run restore` (scripts/restore.ts); a second server joins it
 * under a lost server's id. Users, addresses and settings come back, the
 * restored parts hash the same as the original's, and a restored config's
 * first download gets new keys on its old address.
 */
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { openBackup } from "../../../cluster/backup/backup-file.ts";
import { restoredPartsHash } from "../../../cluster/fsm/backup-content.ts";
import { RESTORE_ACTOR } from "../../../cluster/fsm/records.ts";
import { decodeSnapshot } from "../../../cluster/fsm/snapshot-codec.ts";
import { connectRedis } from "../../../cluster/storage/redis-connection.ts";
import {
  type Cluster,
  type HarnessNode,
  waitUntil,
  withCluster,
} from "../../../scripts/lib/cluster-harness.ts";
import type { ConfigView } from "../../../scripts/lib/control-plane-client.ts";
import type { HttpJsonRequest, HttpJsonResponse } from "../../../scripts/lib/http-json.ts";
import { askJoinToken, startJoiningNode } from "../../../scripts/lib/joining-node.ts";
import { requestFollowingLeader } from "../../../scripts/lib/leader-hint.ts";
import { type NodeExit, spawnNode } from "../../../scripts/lib/node-process.ts";
import { replicatedStateAt } from "../../../scripts/lib/replicated-state.ts";
import { apiOf, serversWhen, succeeded } from "../support/control-plane-api.ts";

const PASSPHRASE = "four random words make a passphrase";
const RESTORE_SCRIPT = fileURLToPath(new URL("../../../scripts/restore.ts", import.meta.url));
const USERS = ["5101", "5102", "5103", "5104"];
const SETTINGS = { configsPerUser: "4", motd: "back from the backup" };
const LEADER_WAIT_MS = 15_000;

/**
 * A leader-only request, asked again while the answer is 503 (no leader
 * known: on a busy host an election can start mid-test); a 421 is followed
 * to the leader it names. Both calls here are idempotent.
 */
async function onTheLeader(
  cluster: Cluster,
  path: string,
  options: HttpJsonRequest,
): Promise<HttpJsonResponse> {
  let response: HttpJsonResponse | undefined;
  await waitUntil(
    async () => {
      const leader = await cluster.leader({ timeoutMs: LEADER_WAIT_MS });
      response = await requestFollowingLeader(leader.url, path, options);
      return response.status !== 503;
    },
    LEADER_WAIT_MS,
    `a leader to answer ${path}`,
  );
  return response!;
}

async function downloadBackup(cluster: Cluster, node: HarnessNode | { url: string }) {
  const response = await fetch(`${node.url}/v1/backup`, {
    headers: { authorization: `Bearer ${cluster.adminApiToken}` },
    signal: AbortSignal.timeout(20_000),
  });
  const bytes = Buffer.from(await response.arrayBuffer());
  if (response.status !== 200)
    throw new Error(`GET /v1/backup: ${response.status} ${bytes.toString("utf8")}`);
  return { bytes, disposition: response.headers.get("content-disposition") ?? "" };
}

/** The restored parts' hash of what a backup file holds. */
async function hashOfBackup(bytes: Buffer): Promise<string> {
  const opened = await openBackup(bytes, PASSPHRASE);
  if (!opened.ok) throw new Error(`the backup does not open: ${opened.error.message}`);
  return restoredPartsHash(decodeSnapshot(opened.value.content));
}

/** Runs scripts/restore.ts as an operator would, with `node`'s environment; its exit and output. */
async function runRestore(
  node: HarnessNode,
  file: string,
  passphrase: string,
): Promise<{ exit: NodeExit; output: string }> {
  const restore = spawnNode({
    env: { ...node.env, BACKUP_PASSPHRASE: passphrase },
    logFile: `${file}.restore.log`,
    cwd: node.dataDir.replace(/\/[^/]+$/, ""),
    entry: RESTORE_SCRIPT,
    args: [file],
  });
  const exit = await restore.waitForExit(60_000);
  return { exit, output: restore.output };
}

async function raftKeyCount(node: HarnessNode): Promise<number> {
  const redis = await connectRedis(node.redis.url, { connectionName: "test-inspector" });
  try {
    return (await redis.keys("*")).length;
  } finally {
    redis.disconnect();
  }
}

test("a backup of a lost three-node cluster founds a new one: users, addresses, settings and the restored parts' hash come back", async () => {
  const { writeFile, mkdtemp, rm } = await import("node:fs/promises");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const dir = await mkdtemp(join(tmpdir(), "nexaloak-backup-"));
  const backupPath = join(dir, "cluster.nxb");
  const original = new Map<string, ConfigView[]>();
  let originalHash = "";
  try {
    // The cluster that will be lost.
    await withCluster({ size: 3, env: { PUBLIC_HOST: "127.0.0.1" } }, async (cluster) => {
      const leader = await cluster.leader();
      const api = apiOf(cluster, leader);
      await serversWhen(api, (servers) => servers.length === 3, 20_000, "three servers");
      for (const [key, value] of Object.entries(SETTINGS)) await cluster.put(key, value);
      for (const user of USERS)
        for (let n = 0; n < 2; n++) succeeded(await api.issueConfig(user), `issue for ${user}`);
      const noPassphrase = await onTheLeader(cluster, "/v1/backup", {
        headers: { authorization: `Bearer ${cluster.adminApiToken}` },
      });
      assert.is(noPassphrase.status, 409, "no backup without a passphrase");
      assert.is(
        (noPassphrase.body as { error: { code: string } }).error.code,
        "NO_BACKUP_PASSPHRASE",
      );
      const set = await onTheLeader(cluster, "/v1/backup/passphrase", {
        method: "PUT",
        headers: { authorization: `Bearer ${cluster.adminApiToken}` },
        body: { passphrase: PASSPHRASE },
        timeoutMs: 30_000,
      });
      assert.is(set.status, 200, JSON.stringify(set.body));
      for (const user of USERS) original.set(user, succeeded(await api.configsOf(user), user));
      // Any member makes it: here a follower.
      const follower = cluster.nodes.find((node) => node !== leader)!;
      const backup = await downloadBackup(cluster, follower);
      assert.match(backup.disposition, /filename="nexaloak-backup-\d{8}-\d{6}Z\.nxb"/);
      await writeFile(backupPath, backup.bytes);
      const status = await leader.status();
      const state = await replicatedStateAt(
        { redisUrl: leader.redis.url, nodeId: leader.id },
        status.commitIndex,
      );
      originalHash = state.restoredPartsHash();
      assert.is(
        await hashOfBackup(backup.bytes),
        originalHash,
        "the file holds the restored parts",
      );
    });
    // Every node and every Redis of that cluster is gone now.

    await withCluster({ size: 1, env: { PUBLIC_HOST: "127.0.0.1" } }, async (fresh) => {
      const founder = fresh.node("n1");
      await founder.kill("SIGTERM");
      // The runbook's first step: the new founder's Redis holds no log.
      const redis = await connectRedis(founder.redis.url, { connectionName: "test-flush" });
      await redis.flushall();
      redis.disconnect();

      const wrong = await runRestore(founder, backupPath, "not the passphrase at all");
      assert.is(wrong.exit.code, 2, wrong.output);
      assert.match(wrong.output, "BACKUP_WRONG_PASSPHRASE", wrong.output);
      assert.match(wrong.output, "Nothing was written");
      assert.is(await raftKeyCount(founder), 0, "a refused restore writes nothing");

      const restored = await runRestore(founder, backupPath, PASSPHRASE);
      assert.is(restored.exit.code, 0, restored.output);
      const report = JSON.parse(
        restored.output.split("\n").find((line) => line.startsWith('{"restored"'))!,
      ) as { restored: boolean; restoredPartsHash: string; counts: { users: number } };
      assert.is(report.restored, true);
      assert.is(report.counts.users, USERS.length);
      assert.is(report.restoredPartsHash, originalHash);

      const again = await runRestore(founder, backupPath, PASSPHRASE);
      assert.is(again.exit.code, 2, "a second restore into the same log is refused");
      assert.match(again.output, "RESTORE_TARGET_NOT_EMPTY");

      await founder.restart();
      const leader = await fresh.leader({ timeoutMs: 30_000 });
      const api = apiOf(fresh, leader);

      // n2 comes back on a new machine under its old id; n3 never does.
      const token = await askJoinToken(fresh, leader, { nodeId: "n2" });
      const joiner = await startJoiningNode(token.token, { PUBLIC_HOST: "127.0.0.1" });
      try {
        const servers = await serversWhen(
          api,
          (list) =>
            ["n1", "n2"].every((id) =>
              list.some((server) => server.id === id && server.status === "active"),
            ),
          60_000,
          "n1 and n2 registered again and active",
        );
        const lost = servers.find((server) => server.id === "n3")!;
        assert.is(lost.status, "down");
        assert.is(lost.statusActor, RESTORE_ACTOR);
        assert.is(lost.endpointHost, null);

        for (const [key, value] of Object.entries(SETTINGS))
          assert.is(await fresh.get(key), value, `setting ${key}`);
        for (const user of USERS) {
          const configs = succeeded(await api.configsOf(user), user);
          const before = original.get(user)!;
          assert.equal(
            configs.map((config) => [config.id, config.serverId, config.address]),
            before.map((config) => [config.id, config.serverId, config.address]),
            `${user}'s configs keep their servers and addresses`,
          );
        }

        // The joiner holds the restored state too: its own backup hashes the same.
        let joinerBackup: Buffer | undefined;
        await waitUntil(
          async () => {
            joinerBackup = (await downloadBackup(fresh, joiner)).bytes;
            return (await hashOfBackup(joinerBackup)) === originalHash;
          },
          30_000,
          "the joined node's backup to hash as the original",
        );

        // A restored config has no keys: its first download makes new ones, same address.
        const onN1 = [...original.values()].flat().find((config) => config.serverId === "n1")!;
        const downloaded = succeeded(await api.rekeyConfig(onN1.id), "download again");
        assert.is(downloaded.config.address, onN1.address);
        assert.ok(downloaded.conf?.includes("PrivateKey"), "the download carries a private key");
      } catch (error) {
        process.stderr.write(`\n=== joiner\n${joiner.process.tail(40)}\n`);
        throw error;
      } finally {
        await joiner.cleanup();
      }
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
