/**
 * What a censor scanning the internet learns from a node's public port: a
 * real node with no trusted network (so even loopback counts as the
 * internet). Without the admin token it gets `/healthz`, a bare readiness
 * answer and the plain 404 any web server gives; nothing names the product.
 * With the token, the same node shows everything; the node itself holds
 * only the token's SHA-256, which opens nothing.
 */
import { createHash } from "node:crypto";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type Cluster, startCluster } from "../../scripts/lib/cluster-harness.ts";

let cluster: Cluster;

test.before(async () => {
  cluster = await startCluster({ size: 1, env: { TRUSTED_NETWORKS: "none" } });
  // The node keeps only the digest of the token the admin holds.
  const digest = createHash("sha256").update(cluster.adminApiToken).digest("hex");
  await cluster.nodes[0]!.restart({ ADMIN_API_TOKEN: `sha256:${digest}` });
  await cluster.leader();
});

test.after(async () => {
  await cluster?.stop();
});

async function scan(path: string, init: RequestInit = {}) {
  const response = await fetch(`${cluster.nodes[0]!.url}${path}`, init);
  return { status: response.status, text: await response.text(), headers: response.headers };
}

test("a scanner's requests get plain 404s and bare health answers that name nothing", async () => {
  const paths = [
    "/",
    "/metrics",
    "/v1/status",
    "/v1/servers",
    "/cluster/observed-address",
    "/raft",
    "/wp-login.php",
  ];
  for (const path of paths) {
    const answer = await scan(path);
    assert.is(answer.status, 404, path);
    assert.is(answer.text, "Not Found", path);
  }
  const posted = await scan("/v1/settings/x", { method: "PUT", body: '{"value":"1"}' });
  assert.is(posted.status, 404);
  assert.equal(JSON.parse((await scan("/healthz")).text), { status: "ok" });
  assert.equal(JSON.parse((await scan("/readyz")).text), { ready: true });
  for (const path of [...paths, "/healthz", "/readyz"]) {
    const answer = await scan(path);
    assert.not.match(answer.text.toLowerCase(), "nexaloak", path);
    assert.is(answer.headers.get("www-authenticate"), null, path);
  }
});

test("the admin token shows the same node's metrics, API and errors", async () => {
  const headers = { Authorization: `Bearer ${cluster.adminApiToken}` };
  const metrics = await scan("/metrics", { headers });
  assert.is(metrics.status, 200);
  assert.match(metrics.text, "nexaloak_raft_term");
  const status = await scan("/v1/status", { headers });
  assert.is(status.status, 200);
  const missing = await scan("/v1/nothing-here", { headers });
  assert.is(missing.status, 404);
  assert.is(JSON.parse(missing.text).error.code, "NOT_FOUND");
});

test("what the node holds (the digest) is not a token: presented, it opens nothing", async () => {
  const held = cluster.nodes[0]!.env.ADMIN_API_TOKEN!;
  assert.match(held, /^sha256:[0-9a-f]{64}$/);
  assert.not.ok(held.includes(cluster.adminApiToken));
  for (const token of [held, held.slice("sha256:".length)]) {
    const answer = await scan("/v1/status", { headers: { Authorization: `Bearer ${token}` } });
    assert.is(answer.status, 404);
  }
});

test.run();
