/**
 * The vantage-probe admin API on a three-node in-memory cluster, each node
 * serving its own API on a loopback port: adding a probe seals its token,
 * listing never shows it, removal, a follower naming the leader instead of
 * adding, and every refusal with its status.
 */
import { createHash } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { notLeaderAnswer } from "../../../cluster/api/not-leader.ts";
import { addProbeRoutes } from "../../../cluster/api/probe-routes.ts";
import { Router } from "../../../cluster/api/router.ts";
import { ControlPlaneService } from "../../../cluster/control-plane-service.ts";
import { createNodeServer } from "../../../cluster/http.ts";
import { NodeMetrics } from "../../../cluster/metrics.ts";
import { SealedSecrets } from "../../../cluster/sealed-secrets.ts";
import { type HttpJsonRequest, requestJson } from "../../../scripts/lib/http-json.ts";
import { silentLogger } from "../../../shared/silent-logger.ts";
import { startInMemoryCluster, type TestMember } from "../support/in-memory-cluster.ts";

const ADMIN_API_TOKEN = "probe-routes-admin-token";
const PROBE_TOKEN = "tok_3f9a1c07e2b84d5aa1";
const WAIT_MS = 5_000;
const HEX = "208e12ca9258be6aff53b393b20faef28579a87321212f66abbf41aefa1da668";
const CANONICAL =
  "20:8E:12:CA:92:58:BE:6A:FF:53:B3:93:B2:0F:AE:F2:85:79:A8:73:21:21:2F:66:AB:BF:41:AE:FA:1D:A6:68";

const DATA_KEYS = [{ id: "k1", secret: "probe-routes-data-key-0123456789abcdef" }];
const sealing = new SealedSecrets(DATA_KEYS);

type InMemoryCluster = Awaited<ReturnType<typeof startInMemoryCluster>>;

interface ApiNode {
  member: TestMember;
  /** `http://127.0.0.1:<port>` */
  url: string;
}

interface Fixture {
  cluster: InMemoryCluster;
  leader: ApiNode;
  follower: ApiNode;
  call(node: ApiNode, path: string, options?: HttpJsonRequest): ReturnType<typeof requestJson>;
}

async function serve(member: TestMember, servers: Server[]): Promise<ApiNode> {
  const router = new Router();
  addProbeRoutes(
    router,
    new ControlPlaneService({
      node: member.node,
      state: member.state,
      sealing,
    }),
  );
  const server = createNodeServer({
    router,
    adminApiTokenSha256s: [createHash("sha256").update(ADMIN_API_TOKEN).digest("hex")],
    metrics: new NodeMetrics(),
    readiness: () => ({ ready: true }),
    observedAddress: () => ({ status: 404, body: {} }),
    apiUnavailableReason: () => undefined,
    notLeaderAnswer: () => notLeaderAnswer(member.node.status()),
    logger: silentLogger,
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { member, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Runs `body` against a fresh cluster whose leader and one follower serve the API. */
async function withApi(body: (fixture: Fixture) => Promise<void>): Promise<void> {
  const cluster = await startInMemoryCluster(3);
  const servers: Server[] = [];
  try {
    const leaderMember = await cluster.leader();
    const followerMember = [...cluster.members.values()].find((m) => m !== leaderMember)!;
    await cluster.waitFor(() => followerMember.node.leaderId(), WAIT_MS, "a known leader");
    const fixture: Fixture = {
      cluster,
      leader: await serve(leaderMember, servers),
      follower: await serve(followerMember, servers),
      call: (node, path, options = {}) =>
        requestJson(`${node.url}${path}`, {
          bearerToken: ADMIN_API_TOKEN,
          timeoutMs: WAIT_MS,
          ...options,
        }),
    };
    await body(fixture);
  } finally {
    for (const server of servers) {
      server.closeAllConnections();
      server.close();
    }
    await cluster.stop();
  }
}

const probe = (fields: Record<string, unknown> = {}) => ({
  id: "thr1",
  url: "https://thr1.probe.example:8443",
  token: PROBE_TOKEN,
  region: "ir-thr",
  isp: "mci",
  ...fields,
});

test("POST /v1/probes stores the probe with its token sealed for probe requests and answers without it", async () => {
  await withApi(async ({ leader, call }) => {
    const answer = await call(leader, "/v1/probes", { method: "POST", body: probe() });
    assert.is(answer.status, 201, answer.text);
    assert.equal(answer.body, {
      probe: {
        id: "thr1",
        url: "https://thr1.probe.example:8443",
        region: "ir-thr",
        isp: "mci",
        certSha256: null,
        insecure: false,
      },
    });
    const [stored] = leader.member.state.vantageProbes();
    assert.ok(stored, "the probe is in the replicated state");
    assert.is.not(stored.tokenEncrypted, PROBE_TOKEN);
    assert.equal(sealing.open("vantageToken", stored.id, stored.tokenEncrypted), {
      ok: true,
      value: PROBE_TOKEN,
    });
    assert.is(
      sealing.open("vantageProbeKey", stored.id, stored.tokenEncrypted).ok,
      false,
      "sealed for probe tokens only",
    );
    assert.is(stored.addedBy, "admin-api");
    assert.not.ok(answer.text.includes(PROBE_TOKEN));
    assert.not.ok(answer.text.includes(stored.tokenEncrypted));
  });
});

test("region defaults to `default`, the ISP to unknown (''), and an ISP label is lower-cased", async () => {
  await withApi(async ({ leader, call }) => {
    const bare = await call(leader, "/v1/probes", {
      method: "POST",
      body: { id: "bare", url: "https://10.0.0.7:9000/", token: PROBE_TOKEN },
    });
    assert.is(bare.status, 201, bare.text);
    assert.equal((bare.body as { probe: unknown }).probe, {
      id: "bare",
      url: "https://10.0.0.7:9000/",
      region: "default",
      isp: "",
      certSha256: null,
      insecure: false,
    });
    const shouted = await call(leader, "/v1/probes", {
      method: "POST",
      body: probe({ id: "loud", isp: "MCI" }),
    });
    assert.is((shouted.body as { probe: { isp: string } }).probe.isp, "mci");
  });
});

test("a pinned probe is stored with its fingerprint in the canonical form; an http:// one only when insecure; the list shows both", async () => {
  await withApi(async ({ leader, call }) => {
    const pinned = await call(leader, "/v1/probes", {
      method: "POST",
      body: probe({ id: "pinned", url: "https://10.0.0.8:9190", certSha256: HEX }),
    });
    assert.is(pinned.status, 201, pinned.text);
    assert.is((pinned.body as { probe: { certSha256: string } }).probe.certSha256, CANONICAL);
    const plain = await call(leader, "/v1/probes", {
      method: "POST",
      body: probe({ id: "plain", url: "http://10.0.0.9:9190", insecure: true }),
    });
    assert.is(plain.status, 201, plain.text);
    const listed = await call(leader, "/v1/probes");
    const probes = (listed.body as { probes: Record<string, unknown>[] }).probes;
    assert.equal(
      probes.map(({ id, url, certSha256, insecure }) => ({ id, url, certSha256, insecure })),
      [
        { id: "pinned", url: "https://10.0.0.8:9190", certSha256: CANONICAL, insecure: false },
        { id: "plain", url: "http://10.0.0.9:9190", certSha256: null, insecure: true },
      ],
    );
  });
});

test("GET /v1/probes lists every probe by id, never with its token, not even sealed", async () => {
  await withApi(async ({ leader, call }) => {
    for (const id of ["tbz1", "thr1"]) {
      const added = await call(leader, "/v1/probes", { method: "POST", body: probe({ id }) });
      assert.is(added.status, 201, added.text);
    }
    const listed = await call(leader, "/v1/probes");
    assert.is(listed.status, 200, listed.text);
    const probes = (listed.body as { probes: Record<string, unknown>[] }).probes;
    assert.equal(
      probes.map((entry) => entry.id),
      ["tbz1", "thr1"],
    );
    for (const entry of probes)
      assert.equal(Object.keys(entry), [
        "id",
        "url",
        "region",
        "isp",
        "addedBy",
        "addedAt",
        "probePublicKey",
        "certSha256",
        "insecure",
      ]);
    assert.not.ok(listed.text.includes(PROBE_TOKEN));
    for (const stored of leader.member.state.vantageProbes()) {
      assert.not.ok(listed.text.includes(stored.tokenEncrypted));
      assert.not.ok(listed.text.includes(stored.probePrivateKeyEncrypted!));
    }
  });
});

test("a probe sent to a follower is answered 421 NOT_LEADER naming the leader and is not added; sent to the leader it reaches every member", async () => {
  await withApi(async ({ cluster, leader, follower, call }) => {
    const misdirected = await call(follower, "/v1/probes", { method: "POST", body: probe() });
    assert.is(misdirected.status, 421, misdirected.text);
    assert.equal(misdirected.body, {
      error: {
        code: "NOT_LEADER",
        message: `writes go to the leader, ${leader.member.id} at http://${leader.member.id}.test; send the same request there`,
        leaderId: leader.member.id,
        leaderUrl: `http://${leader.member.id}.test`,
      },
    });
    for (const member of cluster.members.values())
      assert.equal(member.state.vantageProbes(), [], `nothing was added on ${member.id}`);

    const added = await call(leader, "/v1/probes", { method: "POST", body: probe() });
    assert.is(added.status, 201, added.text);
    const listed = await call(follower, "/v1/probes");
    assert.equal(
      (listed.body as { probes: { id: string }[] }).probes.map((entry) => entry.id),
      ["thr1"],
    );
    await cluster.waitFor(
      () =>
        [...cluster.members.values()].every((member) => member.state.vantageProbes().length === 1),
      WAIT_MS,
      "every member to apply the probe",
    );
  });
});

test("DELETE /v1/probes/:id removes the probe; an unknown id is 404, a malformed one 400", async () => {
  await withApi(async ({ leader, call }) => {
    await call(leader, "/v1/probes", { method: "POST", body: probe() });
    const removed = await call(leader, "/v1/probes/thr1", { method: "DELETE" });
    assert.is(removed.status, 200, removed.text);
    assert.equal(removed.body, { id: "thr1" });
    assert.equal(leader.member.state.vantageProbes(), []);
    const again = await call(leader, "/v1/probes/thr1", { method: "DELETE" });
    assert.is(again.status, 404);
    assert.is((again.body as { error: { code: string } }).error.code, "UNKNOWN_PROBE");
    const malformed = await call(leader, "/v1/probes/bad%20id", { method: "DELETE" });
    assert.is(malformed.status, 400);
    assert.is((malformed.body as { error: { code: string } }).error.code, "INVALID_PROBE_ID");
  });
});

test("adding an id that exists is 409 PROBE_EXISTS and keeps the first probe's token", async () => {
  await withApi(async ({ leader, call }) => {
    await call(leader, "/v1/probes", { method: "POST", body: probe() });
    const before = leader.member.state.vantageProbes();
    const duplicate = await call(leader, "/v1/probes", {
      method: "POST",
      body: probe({ token: "another-token-0123456789" }),
    });
    assert.is(duplicate.status, 409, duplicate.text);
    assert.is((duplicate.body as { error: { code: string } }).error.code, "PROBE_EXISTS");
    assert.equal(leader.member.state.vantageProbes(), before);
  });
});

test("a bad body is 400 naming the field, never repeats the token, and changes nothing", async () => {
  await withApi(async ({ leader, call }) => {
    const cases: [HttpJsonRequest, string][] = [
      [{ body: probe({ token: undefined }) }, "token:"],
      [{ body: probe({ token: "short" }) }, "token: the token is 16-256"],
      [{ body: probe({ token: `${PROBE_TOKEN} with spaces` }) }, "token: the token is 16-256"],
      [{ body: probe({ url: "ftp://thr1.probe.example" }) }, "url: the URL is http(s)"],
      [{ body: probe({ url: "not a url" }) }, "url: the URL is http(s)"],
      [
        { body: probe({ url: "http://10.0.0.7:9000" }) },
        "url: http:// would send the probe's token",
      ],
      [{ body: probe({ url: "http://10.0.0.7:9000", insecure: false }) }, "url: http://"],
      [{ body: probe({ insecure: true }) }, "insecure: insecure is only for a plain http://"],
      [{ body: probe({ insecure: "true" }) }, "insecure:"],
      [{ body: probe({ certSha256: "AB:CD" }) }, "certSha256: a SHA-256 certificate fingerprint"],
      [
        { body: probe({ url: "http://10.0.0.7:9000", insecure: true, certSha256: HEX }) },
        "certSha256: a certificate fingerprint pins an https:// URL",
      ],
      [{ body: probe({ id: "no/slashes" }) }, "id: an id is 1-64"],
      [{ body: probe({ region: "far away" }) }, "region: a region is 1-32"],
      [{ body: probe({ isp: "m c i" }) }, "isp: an ISP label"],
      [{ body: probe({ owner: "me" }) }, "owner"],
      [{ rawBody: `{"id":"thr1","token":"${PROBE_TOKEN}"` }, "not valid JSON"],
    ];
    for (const [request, expected] of cases) {
      const answer = await call(leader, "/v1/probes", { method: "POST", ...request });
      assert.is(answer.status, 400, `${JSON.stringify(request)}: ${answer.text}`);
      const error = (answer.body as { error: { code: string; message: string } }).error;
      assert.ok(error.message.includes(expected), `${error.message} should mention ${expected}`);
      assert.not.ok(answer.text.includes(PROBE_TOKEN), `the token is echoed in ${answer.text}`);
    }
    assert.equal(leader.member.state.vantageProbes(), []);
  });
});

test("without the admin bearer token probes can be neither listed nor added: a plain 404", async () => {
  await withApi(async ({ leader, call }) => {
    const listed = await call(leader, "/v1/probes", { bearerToken: "wrong" });
    assert.is(listed.status, 404);
    assert.is(listed.text, "Not Found");
    const added = await call(leader, "/v1/probes", {
      method: "POST",
      body: probe(),
      bearerToken: "wrong",
    });
    assert.is(added.status, 404);
    assert.equal(leader.member.state.vantageProbes(), []);
  });
});

test.run();
