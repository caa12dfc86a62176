/** A user's Shadowsocks app inside a test network's namespace (shadowsocks-fetch.ts). */
import { fileURLToPath } from "node:url";
import { runCommand } from "../../cluster/agent/run-command.ts";

const fetchScript = fileURLToPath(new URL("./shadowsocks-fetch.ts", import.meta.url));
const tsxLoader = import.meta.resolve("tsx");

/**
 * GETs `http://<host>:<port><path>` from inside `namespace` through the
 * server in the ss:// `key`, with ss-local as a user's app would; resolves
 * with the whole answer, or undefined when none came within `timeoutMs`.
 */
export async function fetchThroughShadowsocks(
  namespace: string,
  key: string,
  target: { host: string; port: number; path: string },
  timeoutMs: number,
): Promise<string | undefined> {
  const fetched = await runCommand(
    "ip",
    [
      "netns",
      "exec",
      namespace,
      process.execPath,
      "--import",
      tsxLoader,
      fetchScript,
      target.host,
      String(target.port),
      target.path,
      String(timeoutMs),
    ],
    // ss-local and Node's start come on top of the fetch itself.
    { timeoutMs: timeoutMs + 15_000, environment: { SHADOWSOCKS_KEY: key } },
  );
  return fetched.ok ? fetched.value.stdout : undefined;
}
