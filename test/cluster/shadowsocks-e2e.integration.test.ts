/**
 * Shadowsocks on a real node process (a one-member cluster, its own
 * redis-server, ss-manager from shadowsocks-libev): a user's client (ss-local,
 * started here on a loopback port) fetches a page from a local HTTP server
 * through the node's Shadowsocks port, with exactly the ss:// key the API
 * returned; the bytes a config carries become its user's usage (the node
 * keeps its default DATA_DIR, a relative path); the ss:// key in the user's
 * subscription works as well, and its Subscription-Userinfo header carries
 * that usage; a restart of the node serves
 * every live port again; a revoked config's port stops answering while the
 * others go on.
 */
import { createServer, type Server } from "node:http";
import { Redis } from "ioredis";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  parseShadowsocksKey,
  type ShadowsocksKey,
} from "../../cluster/client-config/shadowsocks-key.ts";
import { type Cluster, startCluster, waitUntil } from "../../scripts/lib/cluster-harness.ts";
import { freePortBlockBelowEphemeralRange } from "../../scripts/lib/free-port.ts";
import {
  BLOCKED_BESIDE_LOOPBACK_PAGE,
  exchangeThroughSocks,
  fetchThroughSocks,
  LOOPBACK_PAGE_HOST,
  startShadowsocksClient,
} from "../../scripts/lib/shadowsocks-client.ts";

/** The page the traffic test carries: far more than the handshakes around it. */
const BIG_PAGE_BYTES = 1_000_000;
/**
 * From a download to its bytes in the user's usage: ss-server tells
 * ss-manager every 5 s, the agent reads it every 15 s, the reporter checks
 * every 5 s and reports at most every `trafficReportSeconds` (10 here).
 */
const COUNTED_BOUND_MS = 60_000;
const SS_PORT_COUNT = 10;

let cluster: Cluster;
let page: Server;
let pagePort = 0;

test.before(async () => {
  page = createServer((request, response) =>
    response.end(
      request.url === "/big" ? Buffer.alloc(BIG_PAGE_BYTES, "x") : "hello through shadowsocks",
    ),
  );
  await new Promise<void>((resolve) => page.listen(0, LOOPBACK_PAGE_HOST, resolve));
  pagePort = (page.address() as { port: number }).port;
  // Below the ephemeral range: ss-manager binds each port only when a config takes it.
  const first = await freePortBlockBelowEphemeralRange(SS_PORT_COUNT);
  cluster = await startCluster({
    size: 1,
    env: {
      PUBLIC_HOST: "127.0.0.1",
      PROTOCOLS: "wireguard,shadowsocks",
      SS_PORTS: `${first}-${first + SS_PORT_COUNT - 1}`,
      SS_LISTEN_HOST: "127.0.0.1",
      SS_METHOD: "chacha20-ietf-poly1305",
      // The node and its Redis listen on 127.0.0.1; the page is elsewhere on loopback.
      BLOCKED_DESTINATIONS: BLOCKED_BESIDE_LOOPBACK_PAGE.join(","),
    },
  });
  await cluster.node("n1").waitForReady(30_000);
});

test.after(async () => {
  await cluster?.stop();
  page?.close();
});

interface Issued {
  configId: string;
  key: ShadowsocksKey;
}

/** What POST /v1/users/:id/configs answers: a config with its key, or an error. */
interface IssueAnswer {
  status: number;
  body: {
    conf: string;
    config: { id: string; shadowsocks: { port: number; method: string } | null };
    error: { code: string; message: string };
  };
}

async function issue(userId: string, body: unknown): Promise<IssueAnswer> {
  const answer = await cluster
    .node("n1")
    .client.call("POST", `/v1/users/${userId}/configs`, body, true);
  return { status: answer.status, body: answer.body as IssueAnswer["body"] };
}

async function issueShadowsocks(userId: string): Promise<Issued> {
  let last = "";
  let issued: Issued | undefined;
  await waitUntil(
    async () => {
      const answer = await issue(userId, { protocol: "shadowsocks" });
      last = JSON.stringify(answer.body);
      if (answer.status !== 201) return false;
      const key = parseShadowsocksKey(answer.body.conf);
      assert.ok(key, `an ss:// key: ${answer.body.conf}`);
      assert.equal(answer.body.config.shadowsocks, { port: key.port, method: key.method });
      issued = { configId: answer.body.config.id, key };
      return true;
    },
    20_000,
    `a Shadowsocks config for ${userId} (last answer ${last})`,
  );
  return issued!;
}

async function fetchWith(key: ShadowsocksKey, path = "/", timeoutMs = 2_000): Promise<string> {
  const client = await startShadowsocksClient(key);
  try {
    return await fetchThroughSocks(
      client.socksPort,
      { host: LOOPBACK_PAGE_HOST, port: pagePort, path },
      timeoutMs,
    );
  } finally {
    await client.stop();
  }
}

async function servedWithin(key: ShadowsocksKey, what: string): Promise<void> {
  await waitUntil(
    () =>
      fetchWith(key).then(
        (text) => text.includes("hello through shadowsocks"),
        () => false,
      ),
    20_000,
    what,
  );
}

let first: Issued;
let second: Issued;
/** User 603's config, which carries the page of BIG_PAGE_BYTES. */
let counted: Issued;

test("a protocol no server offers, or none at all, is refused with a stable code and changes nothing", async () => {
  const unknown = await issue("501", { protocol: "openvpn" });
  assert.is(unknown.status, 400);
  assert.is(unknown.body.error.code, "INVALID_BODY");
  assert.match(unknown.body.error.message, /wireguard, amneziawg, shadowsocks/);
  await waitUntil(
    async () => {
      const answer = await issue("501", { protocol: "amneziawg" });
      return answer.status === 409 && answer.body.error.code === "PROTOCOL_NOT_OFFERED";
    },
    20_000,
    "AmneziaWG refused as not offered",
  );
  const configs = await cluster
    .node("n1")
    .client.call("GET", "/v1/users/501/configs", undefined, true);
  assert.equal((configs.body as { configs: unknown[] }).configs, []);
});

test("the ss:// key the API returns carries a user's traffic through the node's Shadowsocks port", async () => {
  first = await issueShadowsocks("601");
  second = await issueShadowsocks("602");
  assert.is.not(first.key.port, second.key.port, "one port per config");
  assert.is(first.key.host, "127.0.0.1");
  await servedWithin(first.key, "the first key works");
  await servedWithin(second.key, "the second key works");
  await fetchWith({ ...first.key, password: second.key.password }).then(
    (text) => assert.not.match(text, /hello/, "another config's password opens nothing"),
    () => undefined,
  );
});

test("a user's key reaches none of the server's own services: its Redis answers others, not the key", async () => {
  const redisUrl = cluster.node("n1").redis.url;
  const local = new Redis(redisUrl);
  try {
    assert.is(await local.ping(), "PONG", "the node's Redis answers a local client");
  } finally {
    local.disconnect();
  }
  const { hostname, port } = new URL(redisUrl);
  const target = { host: hostname, port: Number(port) };
  const client = await startShadowsocksClient(first.key);
  try {
    for (const host of [target.host, "localhost", "::ffff:7f00:1", "0.0.0.0"]) {
      await exchangeThroughSocks(client.socksPort, { ...target, host }, "PING\r\n", 3_000).then(
        (answer) => assert.unreachable(`Redis at ${host} answered through the key: ${answer}`),
        // Refused at once, or (on a loaded machine) silent until the deadline: either way, no answer.
        (error: Error) => assert.match(error.message, /without an answer|no answer/, host),
      );
    }
  } finally {
    await client.stop();
  }
});

test("the bytes a config carries are counted as its user's usage", async () => {
  const n1 = cluster.node("n1");
  const interval = await n1.client.call(
    "PUT",
    "/v1/settings/trafficReportSeconds",
    { value: "10" },
    true,
  );
  assert.is(interval.status, 200, interval.text);
  counted = await issueShadowsocks("603");
  await servedWithin(counted.key, "the key works");
  const downloaded = await fetchWith(counted.key, "/big", 10_000);
  assert.ok(downloaded.length > BIG_PAGE_BYTES, "the whole page came through");
  await waitUntil(
    async () => {
      const answer = await n1.client.call("GET", "/v1/users/603/usage", undefined, true);
      return (answer.body as { usage: { usedBytes: number } }).usage.usedBytes >= BIG_PAGE_BYTES;
    },
    COUNTED_BOUND_MS,
    `user 603's usage to reach the ${BIG_PAGE_BYTES} bytes carried`,
  );
});

/** What a client takes from a subscription: its ss:// entry and its Subscription-Userinfo figures. */
interface ServedSubscription {
  key: ShadowsocksKey | undefined;
  userinfo: Record<string, number>;
}

/** The subscription at `url`, asked for as `links`. */
async function subscriptionOf(url: string): Promise<ServedSubscription> {
  const response = await fetch(`${url}?format=links`, { signal: AbortSignal.timeout(5_000) });
  assert.is(response.status, 200);
  const links = Buffer.from(await response.text(), "base64")
    .toString("utf8")
    .split("\n");
  const ssLink = links.find((link) => link.startsWith("ss://"));
  const userinfo = Object.fromEntries(
    (response.headers.get("subscription-userinfo") ?? "")
      .split("; ")
      .map((field) => field.split("="))
      .map(([name, value]) => [name, Number(value)]),
  );
  return { key: ssLink === undefined ? undefined : parseShadowsocksKey(ssLink), userinfo };
}

test("the ss:// key in the user's subscription carries their traffic, and its header says what they used", async () => {
  const answer = await cluster
    .node("n1")
    .client.call("GET", "/v1/users/603/subscription", undefined, true);
  assert.is(answer.status, 200, answer.text);
  const url = (answer.body as { url: string }).url;
  assert.match(url, /\/s\/[A-Za-z0-9_-]{43}$/);
  let subscription: ServedSubscription | undefined;
  await waitUntil(
    async () => {
      subscription = await subscriptionOf(url);
      return subscription.key !== undefined;
    },
    20_000,
    "the password sealed to the server and the ss:// entry served",
  );
  const { key, userinfo } = subscription!;
  assert.equal(
    { port: key!.port, method: key!.method, password: key!.password },
    { port: counted.key.port, method: counted.key.method, password: counted.key.password },
    "the key the user was given",
  );
  await servedWithin(key!, "the key from the subscription works");
  assert.is(userinfo.upload, 0, "ss-manager counts both directions together, as download");
  assert.ok(userinfo.download! >= BIG_PAGE_BYTES, `the page counted: ${userinfo.download}`);
  assert.is(userinfo.total, 0, "no quota: unlimited");
});

test("a restarted node serves every live port again from the replicated state", async () => {
  await cluster.node("n1").restart();
  await cluster.node("n1").waitForReady(30_000);
  await servedWithin(first.key, "the first key works after the restart");
  await servedWithin(second.key, "the second key works after the restart");
});

test("after revoking, the config's port stops answering while the others go on", async () => {
  const revoked = await cluster
    .node("n1")
    .client.call("DELETE", `/v1/configs/${first.configId}`, undefined, true);
  assert.is(revoked.status, 200, revoked.text);
  await waitUntil(
    () =>
      fetchWith(first.key).then(
        () => false,
        () => true,
      ),
    20_000,
    "the revoked key stops working",
  );
  assert.match(await fetchWith(second.key), /hello through shadowsocks/);
});

test.run();
