/**
 * TELEGRAM_PROXY: a real node process runs the bot through an HTTP CONNECT
 * proxy and through a SOCKS5 proxy with credentials, both started here on
 * loopback, to the Bot API emulator. Every connection the emulator accepts
 * is one of the proxy's tunnels (matched by port), so no Bot API call, poll
 * or upload, goes around the proxy; with wrong credentials the bot never
 * reaches the emulator at all.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type Cluster, startCluster } from "../../scripts/lib/cluster-harness.ts";
import {
  createTelegramEmulator,
  type TelegramEmulator,
} from "../../scripts/telegram-emulator/emulator.ts";
import { sleep } from "../../shared/sleep.ts";
import {
  type Credentials,
  startConnectProxy,
  startSocks5Proxy,
  type TunnelProxy,
} from "../support/tunnel-proxies.ts";
import { TOKEN } from "./support/bot-cluster.ts";

const ADMIN = 9301;
const WAIT_MS = 30_000;
const CREDENTIALS: Credentials = { user: "nexaloak", password: "p@ss:w/rd" };

async function withBotBehind(
  startProxy: () => Promise<TunnelProxy>,
  body: (emulator: TelegramEmulator, proxy: TunnelProxy) => Promise<void>,
): Promise<void> {
  const emulator = await createTelegramEmulator({ tokens: [TOKEN] });
  const proxy = await startProxy();
  let cluster: Cluster | undefined;
  try {
    cluster = await startCluster({
      size: 1,
      env: {
        BOT_TOKEN: TOKEN,
        TELEGRAM_API_ROOT: emulator.apiRoot,
        TELEGRAM_PROXY: proxy.url,
        ADMIN_IDS: String(ADMIN),
      },
    });
    await body(emulator, proxy);
  } catch (error) {
    if (cluster) process.stderr.write(cluster.logTails(40));
    throw error;
  } finally {
    await cluster?.stop();
    await proxy.stop();
    await emulator.stop();
  }
}

/** The bot answers /start and /metrics (a text and an uploaded chart) through the proxy. */
async function talkToTheBot(emulator: TelegramEmulator): Promise<void> {
  await emulator.waitForPolling(WAIT_MS);
  const admin = emulator.user(ADMIN, { first_name: "Root", language_code: "en" });
  admin.send("/start");
  await admin.waitFor((message) => /^Hi Root/.test(message.text ?? ""), WAIT_MS);
  admin.send("/metrics");
  await admin.waitFor((message) => message.photo !== undefined, WAIT_MS);
}

function assertEveryConnectionTunnelled(emulator: TelegramEmulator, proxy: TunnelProxy): void {
  const target = new URL(emulator.apiRoot).host;
  const tunnels = proxy.tunnels().filter((tunnel) => tunnel.target === target);
  const tunnelPorts = new Set(tunnels.map((tunnel) => tunnel.upstreamPort));
  const connections = emulator.connections();
  const requests = connections.reduce((sum, connection) => sum + connection.requests, 0);
  assert.ok(requests >= 5, `the bot made its calls (${requests} requests)`);
  assert.is(connections.length, tunnels.length, "one emulator connection per tunnel");
  for (const connection of connections)
    assert.ok(
      tunnelPorts.has(connection.remotePort),
      `connection from port ${connection.remotePort} is one of the proxy's tunnels`,
    );
  assert.is(proxy.refusals(), 0);
}

test("through an HTTP CONNECT proxy, every Bot API call is tunnelled", async () => {
  await withBotBehind(
    () => startConnectProxy(),
    async (emulator, proxy) => {
      await talkToTheBot(emulator);
      assertEveryConnectionTunnelled(emulator, proxy);
    },
  );
});

test("through a SOCKS5 proxy with credentials, every Bot API call is tunnelled", async () => {
  await withBotBehind(
    () => startSocks5Proxy(CREDENTIALS),
    async (emulator, proxy) => {
      await talkToTheBot(emulator);
      assertEveryConnectionTunnelled(emulator, proxy);
    },
  );
});

test("with credentials the proxy refuses, the bot never reaches Telegram around it", async () => {
  const wrong = { ...CREDENTIALS, password: "wrong" };
  await withBotBehind(
    async () => {
      const proxy = await startSocks5Proxy(CREDENTIALS);
      const url = new URL(proxy.url);
      url.password = encodeURIComponent(wrong.password);
      return { ...proxy, url: url.toString().replace(/\/$/, "") };
    },
    async (emulator, proxy) => {
      const deadline = Date.now() + WAIT_MS;
      while (proxy.refusals() < 2 && Date.now() < deadline) await sleep(100);
      assert.ok(proxy.refusals() >= 2, "the bot kept trying through the proxy");
      assert.equal(emulator.connections(), [], "and never connected to the emulator itself");
    },
  );
});

test.run();
