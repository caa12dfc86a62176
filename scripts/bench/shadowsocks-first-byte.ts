/**
 * How long a new Shadowsocks port takes to carry its first byte: ss-manager
 * (shadowsocks-libev) on 127.0.0.1 through the node's own driver, a client
 * (ss-local) already waiting, and a local HTTP page; from the moment the
 * driver is asked to add the port until the page's first byte arrives
 * through it, polling every 5 ms.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SsManagerDriver } from "../../cluster/agent/ss-manager-driver.ts";
import { generatePresharedKey } from "../../shared/crypto/wireguard-keys.ts";
import { silentLogger } from "../../shared/silent-logger.ts";
import { sleep } from "../../shared/sleep.ts";
import { findFreePort } from "../lib/free-port.ts";
import {
  BLOCKED_BESIDE_LOOPBACK_PAGE,
  fetchThroughSocks,
  LOOPBACK_PAGE_HOST,
  startShadowsocksClient,
} from "../lib/shadowsocks-client.ts";
import { type Summary, summarize } from "./stats.ts";

export async function measureFirstByte(samples: number): Promise<Summary> {
  const dir = mkdtempSync(join(tmpdir(), "nxl-bench-ss-"));
  const page = createServer((_request, response) => response.end("x"));
  await new Promise<void>((resolve) => page.listen(0, LOOPBACK_PAGE_HOST, resolve));
  const pagePort = (page.address() as { port: number }).port;
  const method = "chacha20-ietf-poly1305";
  const driver = new SsManagerDriver({
    workDir: join(dir, "shadowsocks"),
    listenHost: "127.0.0.1",
    defaultMethod: method,
    // As in service: connections are checked against a block list.
    blockedDestinations: BLOCKED_BESIDE_LOOPBACK_PAGE,
    logger: silentLogger,
  });
  const times: number[] = [];
  try {
    const started = await driver.start();
    if (!started.ok) throw new Error(started.error.message);
    for (let sample = 0; sample < samples; sample++) {
      const port = await findFreePort();
      const password = generatePresharedKey();
      const client = await startShadowsocksClient({ host: "127.0.0.1", port, method, password });
      try {
        const askedAt = performance.now();
        const added = await driver.addPort({ port, password, method });
        if (!added.ok) throw new Error(added.error.message);
        for (let attempt = 0; attempt < 2_000; attempt++) {
          const through = await fetchThroughSocks(
            client.socksPort,
            { host: LOOPBACK_PAGE_HOST, port: pagePort, path: "/" },
            1_000,
          ).catch(() => undefined);
          if (through !== undefined) break;
          await sleep(5);
        }
        times.push(performance.now() - askedAt);
        await driver.removePort(port);
      } finally {
        await client.stop();
      }
    }
  } finally {
    await driver.stop();
    page.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return summarize(times);
}
