/**
 * A WireGuard client in a test network's namespace, set up from a `.conf`
 * as wg-quick would (wireguard-go, `wg setconf` of the stripped file, the
 * interface address), except that only the routes the test names go
 * through the tunnel, so the endpoint itself stays reachable.
 */
import { rmSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { runCommand } from "../../cluster/agent/run-command.ts";
import type { TestNetwork } from "./network-namespace.ts";
import { parseConf } from "./parse-conf.ts";

export interface WireGuardClientOptions {
  namespace: string;
  /** Unique on this host: wireguard-go keeps its socket at /var/run/wireguard/<name>.sock. */
  interfaceName: string;
  /** The `.conf` exactly as the user received it. */
  conf: string;
  /** Addresses with prefix routed through the tunnel, e.g. `10.64.0.1/32`. */
  routes: string[];
  /** Where the config files are written (mode 0600). */
  directory: string;
}

export interface WireGuardClient {
  /** Deletes the interface (wireguard-go exits with it) and its socket. */
  close(): Promise<void>;
}

export async function startWireGuardClient(
  network: TestNetwork,
  options: WireGuardClientOptions,
): Promise<WireGuardClient> {
  const { namespace, interfaceName } = options;
  // wg-quick takes the interface name from the file name, so the file is named after it.
  const confPath = join(options.directory, `${interfaceName}.conf`);
  await writeFile(confPath, options.conf, { mode: 0o600 });
  const stripped = await network.must("wg-quick", ["strip", confPath]);
  const strippedPath = join(options.directory, `${interfaceName}.stripped.conf`);
  await writeFile(strippedPath, stripped, { mode: 0o600 });
  const address = parseConf(options.conf).interface.Address;
  if (address === undefined) throw new Error("the .conf has no Address");
  const close = async () => {
    await runCommand("ip", ["-n", namespace, "link", "del", interfaceName], { timeoutMs: 10_000 });
    rmSync(`/var/run/wireguard/${interfaceName}.sock`, { force: true });
  };
  try {
    await network.exec(namespace, "wireguard-go", [interfaceName]);
    await network.exec(namespace, "wg", ["setconf", interfaceName, strippedPath]);
    await network.must("ip", ["-n", namespace, "address", "add", address, "dev", interfaceName]);
    await network.must("ip", ["-n", namespace, "link", "set", interfaceName, "up"]);
    for (const route of options.routes)
      await network.must("ip", ["-n", namespace, "route", "add", route, "dev", interfaceName]);
  } catch (error) {
    await close();
    throw error;
  }
  return { close };
}

/** Whether one ping from `namespace` to `address` is answered within a second. */
export async function pingsOnce(namespace: string, address: string): Promise<boolean> {
  const ping = await runCommand(
    "ip",
    ["netns", "exec", namespace, "ping", "-n", "-c", "1", "-W", "1", address],
    { timeoutMs: 10_000 },
  );
  return ping.ok;
}

/** Pings until one is answered, at most `attempts` times: the first handshake takes a moment. */
export async function pingsWithin(
  namespace: string,
  address: string,
  attempts: number,
): Promise<boolean> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (await pingsOnce(namespace, address)) return true;
  }
  return false;
}
