/**
 * Subscriptions on a real three-node cluster (node processes, each with its
 * own durable redis-server): a user's subscription URL from the admin API,
 * served by a node whose own server holds none of the user's configs, with
 * the secrets of every config fetched from the server that owns it; the
 * same keys as the `.conf` the user was given; an unknown token answered
 * like any unknown path; and, with the owner of one config killed, the
 * other entries still served.
 *
 * n3 sits alone in region `edge`; n1 and n2 share `default`.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type Cluster, startCluster, waitUntil } from "../../scripts/lib/cluster-harness.ts";
import { requestJson } from "../../scripts/lib/http-json.ts";
import { parseConf } from "../support/parse-conf.ts";
import { apiOf, serversWhen, succeeded } from "./support/control-plane-api.ts";

const WG_PORTS: Record<string, number> = { n1: 51831, n2: 51832, n3: 51833 };
const USER = "4242";

let cluster: Cluster;

test.before(async () => {
  cluster = await startCluster({
    size: 3,
    // No trusted network: the test client sees what a stranger sees.
    env: { PUBLIC_HOST: "127.0.0.1", TRUSTED_NETWORKS: "none" },
    nodeEnv: {
      n1: { WG_PORT: String(WG_PORTS.n1) },
      n2: { WG_PORT: String(WG_PORTS.n2) },
      n3: { WG_PORT: String(WG_PORTS.n3), SERVER_REGION: "edge" },
    },
  });
});

test.after(async () => {
  await cluster?.stop();
});

interface SingBoxProfile {
  endpoints: Array<{ private_key: string; peers: Array<{ port: number; pre_shared_key: string }> }>;
}

async function subscription(nodeUrl: string, path: string): Promise<Response> {
  return fetch(`${nodeUrl}${path}`, { signal: AbortSignal.timeout(10_000) });
}

test("a node serves a subscription whose configs live on other servers, with each owner's secrets; an unknown token is a plain 404; a dead owner's entry is left out", async () => {
  try {
    const leader = await cluster.leader();
    const api = apiOf(cluster, leader);
    await serversWhen(
      api,
      (servers) => servers.length === 3 && servers.every((server) => server.endpointHost),
      20_000,
      "every server registered with its endpoint",
    );
    const issued = [
      succeeded(await api.issueConfig(USER, { region: "edge" }), "issue on edge"),
      succeeded(await api.issueConfig(USER, { region: "default" }), "issue on default"),
    ];
    const onEdge = issued[0]!;
    assert.is(onEdge.config.serverId, "n3");
    const answer = await requestJson(`${leader.url}/v1/users/${USER}/subscription`, {
      bearerToken: cluster.adminApiToken,
    });
    assert.is(answer.status, 200, answer.text);
    const url = new URL((answer.body as { url: string }).url);
    assert.match(url.pathname, /^\/s\/[A-Za-z0-9_-]{43}$/);
    const again = await requestJson(`${leader.url}/v1/users/${USER}/subscription`, {
      bearerToken: cluster.adminApiToken,
    });
    assert.is((again.body as { url: string }).url, url.href, "the same URL until a reset");

    // Asked of a node whose server holds none of the user's configs.
    const defaultServer = issued[1]!.config.serverId;
    const server = cluster.nodes.find((node) => node.id !== "n3" && node.id !== defaultServer)!;
    let profile: SingBoxProfile | undefined;
    await waitUntil(
      async () => {
        const response = await subscription(server.url, `${url.pathname}?format=sing-box`);
        if (response.status !== 200) return false;
        profile = (await response.json()) as SingBoxProfile;
        return profile.endpoints.length === 2;
      },
      15_000,
      "both configs' secrets sealed to their servers and served",
    );
    for (const { conf, config } of issued) {
      const parsed = parseConf(conf!);
      const port = WG_PORTS[config.serverId]!;
      const endpoint = profile!.endpoints.find((item) => item.peers[0]!.port === port);
      assert.ok(endpoint, `the entry of ${config.serverId}`);
      assert.is(endpoint.private_key, parsed.interface.PrivateKey, "the key the user was given");
      assert.is(endpoint.peers[0]!.pre_shared_key, parsed.peers[0]?.PresharedKey);
    }

    const response = await subscription(server.url, url.pathname);
    assert.is(response.headers.get("profile-update-interval"), "1");
    assert.match(
      response.headers.get("subscription-userinfo") ?? "",
      /^upload=0; download=0; total=0; expire=\d+$/,
    );

    const unknown = await subscription(server.url, `/s/${"A".repeat(43)}`);
    const nowhere = await subscription(server.url, "/nothing-here");
    assert.is(unknown.status, 404);
    assert.is(await unknown.text(), await nowhere.text());
    assert.equal(
      [unknown.headers.get("content-type"), unknown.headers.get("content-length")],
      [nowhere.headers.get("content-type"), nowhere.headers.get("content-length")],
    );

    await cluster.node("n3").kill("SIGKILL");
    const withoutOwner = await subscription(server.url, `${url.pathname}?format=sing-box`);
    assert.is(withoutOwner.status, 200, "served without the dead owner's entry");
    const rest = (await withoutOwner.json()) as SingBoxProfile;
    assert.equal(
      rest.endpoints.map((item) => item.peers[0]!.port),
      [WG_PORTS[defaultServer]],
    );
  } catch (error) {
    process.stderr.write(`\n${cluster.logTails(30)}\n`);
    throw error;
  }
});

test.run();
