/**
 * One node on its own (a one-member cluster) in a fresh temp dir, for tests
 * of how the process starts, refuses to start, or waits: bad environment,
 * a Redis that is not durable, a Redis that is not there yet.
 */

import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatDataKeys, newDataKey } from "../../shared/crypto/data-keys.ts";
import { findFreePort } from "./free-port.ts";
import { NodeClient } from "./node-client.ts";
import { type NodeExit, type NodeProcess, spawnNode } from "./node-process.ts";

export interface SingleNodeOptions {
  /** REDIS_URL; default a port where nothing listens. */
  redisUrl?: string;
  /**
   * Changes to the working environment (a valid one-member cluster on a free
   * port); a value of `undefined` removes that variable.
   */
  env?: Record<string, string | undefined>;
  /** Written to `.env` in the node's working directory. */
  dotenv?: string;
}

export interface SingleNode {
  readonly process: NodeProcess;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly client: NodeClient;
  /** The environment the node was started with. */
  readonly env: Readonly<Record<string, string>>;
  /** Stops the node (SIGTERM, then SIGKILL after 10 s) and removes its temp dir. */
  cleanup(): Promise<NodeExit>;
}

/** Starts the node process (without waiting for anything). */
export async function startSingleNode(options: SingleNodeOptions = {}): Promise<SingleNode> {
  const dir = await mkdtemp(join(tmpdir(), "nexaloak-node-"));
  const port = await findFreePort();
  const adminApiToken = randomBytes(24).toString("hex");
  const env: Record<string, string> = {
    NODE_ID: "n1",
    LISTEN: `127.0.0.1:${port}`,
    PEERS: `n1=ws://127.0.0.1:${port}`,
    REDIS_URL: options.redisUrl ?? `redis://127.0.0.1:${await findFreePort()}`,
    CLUSTER_SECRET: randomBytes(32).toString("hex"),
    DATA_KEYS: formatDataKeys([newDataKey("k1")]),
    ADMIN_API_TOKEN: adminApiToken,
    HEARTBEAT_MS: "50",
    ELECTION_TIMEOUT_MS: "300",
  };
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  if (options.dotenv !== undefined) await writeFile(join(dir, ".env"), options.dotenv);
  const process = spawnNode({ env, logFile: join(dir, "n1.log"), cwd: dir });
  const url = `http://127.0.0.1:${port}`;
  return {
    process,
    url,
    client: new NodeClient(url, adminApiToken, { timeoutMs: 5_000 }),
    env,
    async cleanup(): Promise<NodeExit> {
      const exit = await process.stop(10_000);
      await rm(dir, { recursive: true, force: true });
      return exit;
    },
  };
}
