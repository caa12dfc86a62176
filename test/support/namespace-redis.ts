/** A node's own redis-server inside its namespace, on 127.0.0.1, durable as the node demands. */
import { type NamespaceProcess, startInNamespace } from "./namespace-process.ts";

/** The port it listens on inside the namespace, where nothing else can hold it. */
export const NAMESPACE_REDIS_PORT = 6379;

/** Starts redis-server in `namespace` with its AOF in `dataDir`; resolves once it accepts connections. */
export async function startRedisInNamespace(
  namespace: string,
  dataDir: string,
): Promise<NamespaceProcess> {
  const redis = startInNamespace(namespace, "redis-server", [
    "--port",
    String(NAMESPACE_REDIS_PORT),
    "--bind",
    "127.0.0.1",
    "--dir",
    dataDir,
    "--save",
    "",
    "--appendonly",
    "yes",
    "--appendfsync",
    "always",
    "--daemonize",
    "no",
    "--logfile",
    "",
  ]);
  try {
    await redis.waitForOutput(/Ready to accept connections/, 15_000);
  } catch (error) {
    await redis.stop();
    throw error;
  }
  return redis;
}
