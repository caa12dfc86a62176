/**
 * A server joining a cluster as an operator would bring it up: a Redis (its
 * own, or a shared one where a benchmark runs many nodes), its own DATA_DIR,
 * and nothing of the cluster but a join token (no NODE_ID, PEERS or shared
 * credentials).
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Cluster, HarnessNode } from "./cluster-harness.ts";
import { findFreePort } from "./free-port.ts";
import { requestJson } from "./http-json.ts";
import { type NodeProcess, spawnNode } from "./node-process.ts";
import { type RedisServerHandle, startRedisServer } from "./redis-server.ts";

export interface JoiningNode {
  readonly process: NodeProcess;
  readonly port: number;
  readonly url: string;
  readonly dataDir: string;
  /** Stops the process (SIGTERM, then SIGKILL) and its Redis, and removes its directory. */
  cleanup(): Promise<void>;
}

/** Asks `leader` for a join token; retries while the members' keys are not pinned yet. */
export async function askJoinToken(
  cluster: Cluster,
  leader: HarnessNode,
  body: Record<string, unknown> = {},
): Promise<{ nodeId: string; token: string; expiresAt: number }> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const answer = await requestJson(`${leader.url}/v1/join-tokens`, {
      method: "POST",
      headers: { authorization: `Bearer ${cluster.adminApiToken}` },
      body,
      timeoutMs: 12_000,
    });
    if (answer.status === 201)
      return answer.body as { nodeId: string; token: string; expiresAt: number };
    if (Date.now() > deadline)
      throw new Error(`no join token: ${answer.status} ${JSON.stringify(answer.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Starts a node with only `JOIN_TOKEN` and its local settings (plus `env`),
 * on a redis-server of its own unless `sharedRedisUrl` is given (each node's
 * keys carry its own prefix).
 */
export async function startJoiningNode(
  token: string,
  env: Record<string, string> = {},
  sharedRedisUrl?: string,
): Promise<JoiningNode> {
  const dir = await mkdtemp(join(tmpdir(), "nexaloak-joiner-"));
  let redis: RedisServerHandle | undefined;
  try {
    if (sharedRedisUrl === undefined) redis = await startRedisServer();
    const port = await findFreePort();
    const workDir = join(dir, "work");
    await mkdir(workDir, { recursive: true });
    const dataDir = join(dir, "data");
    const process = spawnNode({
      env: {
        JOIN_TOKEN: token,
        LISTEN: `127.0.0.1:${port}`,
        REDIS_URL: sharedRedisUrl ?? redis!.url,
        DATA_DIR: dataDir,
        LOG_LEVEL: "info",
        ...env,
      },
      logFile: join(dir, "node.log"),
      cwd: workDir,
    });
    const ownRedis = redis;
    return {
      process,
      port,
      url: `http://127.0.0.1:${port}`,
      dataDir,
      async cleanup() {
        if (process.running) await process.stop(10_000);
        await ownRedis?.cleanup();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await redis?.cleanup();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
