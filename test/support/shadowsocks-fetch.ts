/**
 * A user's Shadowsocks app, once: ss-local (shadowsocks-libev) for the
 * ss:// key in SHADOWSOCKS_KEY, and one GET of `http://<host>:<port><path>`
 * through it; prints the whole answer, or exits 1 with why there was none.
 * Run inside a namespace by shadowsocks-user.ts.
 * `shadowsocks-fetch.ts <host> <port> <path> <timeout ms>`
 */
import { parseShadowsocksKey } from "../../cluster/client-config/shadowsocks-key.ts";
import { fetchThroughSocks, startShadowsocksClient } from "../../scripts/lib/shadowsocks-client.ts";

const [host, portText, path, timeoutText] = process.argv.slice(2);
const key = parseShadowsocksKey(process.env.SHADOWSOCKS_KEY ?? "");
if (!key || !host || !path || !Number.isInteger(Number(portText)) || !Number(timeoutText)) {
  process.stderr.write(
    "usage: SHADOWSOCKS_KEY=ss://... shadowsocks-fetch.ts <host> <port> <path> <timeout ms>\n",
  );
  process.exit(2);
}

const client = await startShadowsocksClient(key);
try {
  process.stdout.write(
    await fetchThroughSocks(
      client.socksPort,
      { host, port: Number(portText), path },
      Number(timeoutText),
    ),
  );
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exitCode = 1;
} finally {
  await client.stop();
}
