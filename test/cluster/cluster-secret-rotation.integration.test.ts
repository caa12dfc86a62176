/**
 * Rotating every credential of a running three-node cluster without
 * downtime, node by node, as an operator would: the data key (values sealed
 * under the old key are re-sealed by the leader, then the old key goes), the
 * admin API token (old and new accepted side by side, then only the new),
 * and the enrollment secret (pinned members do not need it any more).
 * Writes keep succeeding after every single restart.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { SealedSecrets } from "../../cluster/sealed-secrets.ts";
import {
  type Cluster,
  type HarnessNode,
  startCluster,
  waitUntil,
} from "../../scripts/lib/cluster-harness.ts";
import { ControlPlaneClient } from "../../scripts/lib/control-plane-client.ts";
import { requestJson } from "../../scripts/lib/http-json.ts";
import { replicatedStateAt } from "../../scripts/lib/replicated-state.ts";
import { formatDataKeys, newDataKey } from "../../shared/crypto/data-keys.ts";
import { succeeded } from "./support/control-plane-api.ts";

const PROBE_TOKEN = "vantage-token-that-must-survive-rotation";
const RESEAL_BOUND_MS = 20_000;

async function call(
  node: HarnessNode,
  token: string,
  method: "GET" | "POST",
  path: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const response = await requestJson(`${node.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}` },
    ...(body === undefined ? {} : { body }),
    timeoutMs: 12_000,
  });
  return { status: response.status, body: response.body };
}

/** The node that says it leads, asked with `token` (the harness's own may be retired by now). */
async function leaderWith(cluster: Cluster, token: string): Promise<HarnessNode> {
  let found: HarnessNode | undefined;
  await waitUntil(
    async () => {
      for (const node of cluster.nodes) {
        const answer = await call(node, token, "GET", "/v1/status").catch(() => undefined);
        if ((answer?.body as { role?: string } | undefined)?.role === "leader") found = node;
      }
      return found !== undefined;
    },
    20_000,
    "a leader",
  );
  return found!;
}

/** A write through the leader with `token`: a config for a new user. */
async function writeSucceeds(cluster: Cluster, token: string, userId: string): Promise<void> {
  const leader = await leaderWith(cluster, token);
  const issued = succeeded(
    await new ControlPlaneClient(leader.url, token).issueConfig(userId, {
      idempotencyKey: `rotation-${userId}`,
    }),
    `a write after rotating ${userId}`,
  );
  assert.ok(issued.conf !== null);
}

/**
 * Waits until the committed state pins every member's identity key: only then
 * may the enrollment secret change, as the README's rotation table says (a
 * member not yet pinned still needs the secret its peers know).
 */
async function everyMemberKeyPinned(cluster: Cluster, token: string): Promise<void> {
  const ids = cluster.nodes.map((node) => node.id).sort();
  await waitUntil(
    async () => {
      const answer = await call(await leaderWith(cluster, token), token, "GET", "/v1/members/keys");
      const pinned = (answer.body as { pinned?: Array<{ nodeId: string }> }).pinned ?? [];
      return JSON.stringify(pinned.map((key) => key.nodeId).sort()) === JSON.stringify(ids);
    },
    20_000,
    "every member's identity key pinned",
  );
}

async function restartEach(
  cluster: Cluster,
  changes: Record<string, string>,
  token: string,
  label: string,
): Promise<void> {
  for (const node of cluster.nodes) {
    await node.restart(changes);
    await node.waitForReady(20_000);
    await writeSucceeds(cluster, token, `${label}${node.id.slice(1)}`);
  }
}

test("the data key, the admin token and the enrollment secret rotate node by node with no downtime and no data lost", async () => {
  const cluster = await startCluster({ size: 3 });
  try {
    const [n1] = cluster.nodes as [HarnessNode];
    const oldToken = cluster.adminApiToken;
    const newToken = "rotated-admin-token-0123456789abcdef";
    const oldKeys = n1.env.DATA_KEYS!;
    const k2 = newDataKey("k2");
    await cluster.serversRegistered();
    const leader = await leaderWith(cluster, oldToken);
    const added = await call(leader, oldToken, "POST", "/v1/probes", {
      id: "vantage1",
      url: "https://127.0.0.1:9/",
      token: PROBE_TOKEN,
      region: "ir",
    });
    assert.is(added.status, 201, JSON.stringify(added.body));
    await writeSucceeds(cluster, oldToken, "5100");
    await everyMemberKeyPinned(cluster, oldToken);

    // Step 1: the new key (sealing) beside the old, both tokens, a new enrollment secret.
    await restartEach(
      cluster,
      {
        DATA_KEYS: `${formatDataKeys([k2])},${oldKeys}`,
        ADMIN_API_TOKEN: `${newToken},${oldToken}`,
        CLUSTER_SECRET: "a-new-enrollment-secret-0123456789abcdef",
      },
      oldToken,
      "520",
    );
    // The leader re-seals everything under k2.
    await waitUntil(
      async () => {
        const answer = await call(
          await leaderWith(cluster, newToken),
          newToken,
          "GET",
          "/v1/data-keys",
        );
        const counts = (answer.body as { sealedValues: Record<string, number> }).sealedValues;
        return answer.status === 200 && counts.k1 === undefined && (counts.k2 ?? 0) > 0;
      },
      RESEAL_BOUND_MS,
      "every sealed value re-sealed under k2",
    );

    // Step 2: the old key and the old token leave.
    await restartEach(
      cluster,
      { DATA_KEYS: formatDataKeys([k2]), ADMIN_API_TOKEN: newToken },
      newToken,
      "530",
    );
    for (const node of cluster.nodes) {
      assert.is((await call(node, oldToken, "GET", "/v1/servers")).status, 401, node.id);
      assert.is((await call(node, newToken, "GET", "/v1/servers")).status, 200, node.id);
    }

    // Nothing was lost: every sealed value in the replicated state opens with k2 alone.
    const state = await replicatedStateAt(
      { redisUrl: n1.redis.url, nodeId: n1.id },
      ((await call(n1, newToken, "GET", "/v1/status")).body as { appliedIndex: number })
        .appliedIndex,
    );
    const sealing = new SealedSecrets([k2]);
    const secrets = state.sealedSecrets();
    assert.ok(secrets.length > 0);
    for (const secret of secrets) {
      assert.ok(sealing.open(secret.kind, secret.recordId, secret.sealed).ok, secret.kind);
    }
    const token = secrets.find((secret) => secret.kind === "vantageToken")!;
    assert.equal(sealing.open("vantageToken", "vantage1", token.sealed), {
      ok: true,
      value: PROBE_TOKEN,
    });
  } finally {
    await cluster.stop();
  }
});

test.run();
