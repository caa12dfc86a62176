/**
 * Growing and shrinking a running cluster with real node processes: a new
 * server joins with nothing but a join token, registers its VPN server and is
 * promoted by the autopilot; a spent, forged or cancelled token is refused
 * with exit code 2; a token made before the leader joined still admits its
 * server, through a member's signed word for the leader; a dead voter is replaced by a healthy learner; voting
 * is kept to the members an admin named, and a joiner that is not one
 * receives no bot token; and a
 * removed member's users are moved, it leaves the membership, its key is
 * revoked and it stops with exit code 4.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { STATE_VERSION } from "../../../cluster/fsm/state-version.ts";
import { generateNodeIdentity } from "../../../cluster/identity/node-identity.ts";
import {
  identityStatement,
  parseJoinToken,
  signJoinClaim,
} from "../../../cluster/membership/join-token.ts";
import {
  type Cluster,
  type HarnessNode,
  startCluster,
} from "../../../scripts/lib/cluster-harness.ts";
import { requestJson } from "../../../scripts/lib/http-json.ts";
import {
  askJoinToken,
  type JoiningNode,
  startJoiningNode,
} from "../../../scripts/lib/joining-node.ts";
import { createTelegramEmulator } from "../../../scripts/telegram-emulator/emulator.ts";
import { generateKeyPair } from "../../../shared/crypto/wireguard-keys.ts";
import { sleep } from "../../../shared/sleep.ts";

const JOIN_BOUND_MS = 30_000;
/** A token of @BotFather's form, for the Bot API emulator. */
const TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0";

interface MemberView {
  id: string;
  role: "voter" | "learner";
}

async function api(
  cluster: Cluster,
  node: { url: string },
  method: "GET" | "POST" | "PUT" | "DELETE",
  path: string,
  body?: unknown,
) {
  return requestJson(`${node.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${cluster.adminApiToken}` },
    ...(body === undefined ? {} : { body }),
    timeoutMs: 12_000,
  });
}

async function membersOf(cluster: Cluster, leader: HarnessNode): Promise<MemberView[]> {
  const answer = await api(cluster, leader, "GET", "/v1/status");
  return ((answer.body as { members?: MemberView[] }).members ?? []).map(({ id, role }) => ({
    id,
    role,
  }));
}

interface ServerView {
  id: string;
  region: string;
  capacity: number;
  status: string;
  holdsBotToken: boolean | null;
  holdsDataKeys: boolean | null;
}

async function serverOf(
  cluster: Cluster,
  leader: HarnessNode,
  serverId: string,
): Promise<ServerView | undefined> {
  const answer = await api(cluster, leader, "GET", "/v1/servers");
  const servers = (answer.body as { servers?: ServerView[] }).servers ?? [];
  return servers.find((server) => server.id === serverId);
}

async function roleOf(cluster: Cluster, leader: HarnessNode, nodeId: string) {
  return (await membersOf(cluster, leader)).find((member) => member.id === nodeId)?.role;
}

/** Waits until `nodeId`'s identity key is among the revoked ones, as `node` answers. */
async function keyRevoked(cluster: Cluster, node: HarnessNode, nodeId: string): Promise<void> {
  await cluster.waitUntil(
    async () => {
      const keys = await api(cluster, node, "GET", "/v1/members/keys");
      const revoked = (keys.body as { revoked: Array<{ nodeId: string }> }).revoked;
      return revoked.some((key) => key.nodeId === nodeId);
    },
    JOIN_BOUND_MS,
    `${nodeId}'s key was revoked`,
  );
}

/**
 * `POST /cluster/join` to `node` as a new server with a fresh identity would
 * send it for `nodeId`: signed with the token's secret, or with a made-up
 * token signature when `tokenSecret` is undefined. Its peer URL is never dialled.
 */
async function askToJoinByHand(
  node: HarnessNode,
  nodeId: string,
  options: { tokenSecret: string | undefined; stateVersion?: number },
) {
  const identity = generateNodeIdentity();
  const claim = {
    nodeId,
    identityKey: identity.publicKey,
    peerUrl: "ws://127.0.0.1:9",
    boxKey: generateKeyPair().publicKey,
  };
  return requestJson(`${node.url}/cluster/join`, {
    method: "POST",
    body: {
      ...claim,
      tokenSignature:
        options.tokenSecret === undefined
          ? "A".repeat(86)
          : signJoinClaim(options.tokenSecret, claim),
      identitySignature: identity.sign(identityStatement(claim)).toString("base64url"),
      ...(options.stateVersion === undefined ? {} : { stateVersion: options.stateVersion }),
    },
    timeoutMs: 12_000,
  });
}

async function withFleet(
  options: { snapshotEveryEntries?: number; env?: Record<string, string> },
  body: (cluster: Cluster, joiners: JoiningNode[]) => Promise<void>,
): Promise<void> {
  const cluster = await startCluster({ size: 3, ...options });
  const joiners: JoiningNode[] = [];
  try {
    await body(cluster, joiners);
  } catch (error) {
    process.stderr.write(`${cluster.logTails(30)}\n`);
    for (const joiner of joiners) process.stderr.write(`=== joiner\n${joiner.process.tail(40)}\n`);
    throw error;
  } finally {
    for (const joiner of joiners) await joiner.cleanup();
    await cluster.stop();
  }
}

test("a server with only a join token joins as a learner, catches up from a snapshot, registers its VPN server and is promoted; the token cannot be used twice", () =>
  withFleet({ snapshotEveryEntries: 20 }, async (cluster, joiners) => {
    const leader = await cluster.leader();
    // Enough writes that the leader's log is compacted past the 1 000 entries
    // it keeps after a snapshot: the newcomer can only catch up from a snapshot.
    for (let batch = 0; batch < 24; batch++)
      await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          cluster.put(`before-join-${batch}-${i}`, "x", { via: leader }),
        ),
      );
    const made = await askJoinToken(cluster, leader, { region: "de", capacity: 40 });
    assert.match(made.token, /^nxj1\./);
    const listed = await api(cluster, leader, "GET", "/v1/join-tokens");
    const pending = (listed.body as { joinTokens: Array<Record<string, unknown>> }).joinTokens;
    assert.is(pending[0]?.status, "pending");
    assert.not.ok(
      JSON.stringify(listed.body).includes(made.token.slice(5, 40)),
      "the token is shown once",
    );

    const joiner = await startJoiningNode(made.token);
    joiners.push(joiner);
    await cluster.waitUntil(
      async () => (await roleOf(cluster, leader, made.nodeId)) === "voter",
      JOIN_BOUND_MS,
      `${made.nodeId} joined and was promoted (voters default to 5)`,
    );
    // Registering its VPN server and being promoted happen apart: either may come first.
    await cluster.waitUntil(
      async () => (await serverOf(cluster, leader, made.nodeId)) !== undefined,
      JOIN_BOUND_MS,
      `${made.nodeId} registered its VPN server`,
    );
    const registered = await serverOf(cluster, leader, made.nodeId);
    assert.is(registered?.region, "de", "the token's region");
    assert.is(registered?.capacity, 40, "the token's capacity");
    // The autopilot records a promotion just after making it.
    await cluster.waitUntil(
      async () => {
        const changes = await api(cluster, leader, "GET", "/v1/status");
        const recent = (
          changes.body as { recentChanges: Array<{ nodeId: string; change: string }> }
        ).recentChanges;
        const recorded = (change: string) =>
          recent.some((event) => event.nodeId === made.nodeId && event.change === change);
        return recorded("joined") && recorded("promoted");
      },
      JOIN_BOUND_MS,
      "the join and the promotion are recorded and shown in /v1/status",
    );

    // The same token on another server: refused, exit code 2, nothing changes.
    const thief = await startJoiningNode(made.token);
    joiners.push(thief);
    const exit = await thief.process.waitForExit(JOIN_BOUND_MS);
    assert.is(exit.code, 2);
    assert.match(thief.process.output, /JOIN_TOKEN_USED/);
    assert.is((await membersOf(cluster, leader)).length, 4);
    assert.ok(
      joiner.process.logLines.some((line) => String(line.msg).includes("snapshot")),
      "the newcomer caught up from a snapshot",
    );
  }));

test("a token made before leadership moved to a member that joined after it still admits its server: a member the token names vouches for the leader", () =>
  withFleet({}, async (cluster, joiners) => {
    const founder = await cluster.leader();
    const early = await askJoinToken(cluster, founder);
    const first = await askJoinToken(cluster, founder);
    joiners.push(await startJoiningNode(first.token));
    await cluster.waitUntil(
      async () => (await roleOf(cluster, founder, first.nodeId)) === "voter",
      JOIN_BOUND_MS,
      `${first.nodeId} joined and was promoted`,
    );
    const leaderSeenBy = async (node: HarnessNode) =>
      ((await api(cluster, node, "GET", "/v1/status")).body as { leaderId?: string | null })
        .leaderId;
    await cluster.waitUntil(
      async () => {
        if ((await leaderSeenBy(founder)) === first.nodeId) return true;
        await api(cluster, founder, "POST", "/v1/leadership/transfer", { to: first.nodeId });
        return false;
      },
      JOIN_BOUND_MS,
      `leadership moved to ${first.nodeId}, which the early token does not name`,
    );

    // Without the token's secret, a member names no leader and vouches for none.
    const forged = await askToJoinByHand(founder, early.nodeId, { tokenSecret: undefined });
    assert.is(forged.status, 403);
    const refusal = (forged.body as { error: Record<string, unknown> }).error;
    assert.is(refusal.code, "JOIN_TOKEN_FORGED");
    assert.not.ok("leaderId" in refusal || "vouch" in refusal, JSON.stringify(refusal));

    const late = await startJoiningNode(early.token);
    joiners.push(late);
    await cluster.waitUntil(
      async () => (await roleOf(cluster, founder, early.nodeId)) !== undefined,
      JOIN_BOUND_MS,
      `${early.nodeId} joined through ${first.nodeId}, vouched for by a member its token names`,
    );
    assert.ok(
      late.process.logLines.some(
        (line) => line.msg === "a member the token names vouched for a leader that joined after it",
      ),
      "the joiner learned the leader from a vouch",
    );
    assert.is(await leaderSeenBy(founder), first.nodeId, "the join did not need leadership back");
  }));

test("forged, cancelled and expired tokens are refused with exit code 2 and a message saying why; a server of another release is refused before its token is spent", () =>
  withFleet({}, async (cluster, joiners) => {
    const leader = await cluster.leader();
    const made = await askJoinToken(cluster, leader);
    // Altering any character of the token breaks its signature or its shape.
    const payload = JSON.parse(Buffer.from(made.token.slice(5), "base64url").toString());
    const flipped = payload.s[10] === "A" ? "B" : "A";
    payload.s = `${payload.s.slice(0, 10)}${flipped}${payload.s.slice(11)}`;
    const forged = `nxj1.${Buffer.from(JSON.stringify(payload)).toString("base64url")}`;
    const forger = await startJoiningNode(forged);
    joiners.push(forger);
    assert.is((await forger.process.waitForExit(JOIN_BOUND_MS)).code, 2);
    assert.match(forger.process.output, /JOIN_TOKEN_FORGED/);

    // A server of another release is refused before the token is spent.
    const parsed = parseJoinToken(made.token);
    assert.ok(parsed.ok);
    const otherRelease = await askToJoinByHand(leader, made.nodeId, {
      tokenSecret: parsed.value.secret,
      stateVersion: STATE_VERSION + 1,
    });
    assert.is(otherRelease.status, 409);
    assert.is(
      (otherRelease.body as { error: { code: string } }).error.code,
      "JOIN_VERSION_MISMATCH",
    );
    const pending = await api(cluster, leader, "GET", "/v1/join-tokens");
    assert.is(
      (pending.body as { joinTokens: Array<{ status: string }> }).joinTokens[0]?.status,
      "pending",
      "the token was not spent",
    );

    const cancelled = await api(cluster, leader, "DELETE", `/v1/join-tokens/${made.nodeId}`);
    assert.is(cancelled.status, 200);
    const late = await startJoiningNode(made.token);
    joiners.push(late);
    assert.is((await late.process.waitForExit(JOIN_BOUND_MS)).code, 2);
    assert.match(late.process.output, /JOIN_TOKEN_CANCELLED/);

    payload.s = JSON.parse(Buffer.from(made.token.slice(5), "base64url").toString()).s;
    payload.e = Date.now() - 1000;
    const expired = await startJoiningNode(
      `nxj1.${Buffer.from(JSON.stringify(payload)).toString("base64url")}`,
    );
    joiners.push(expired);
    assert.is((await expired.process.waitForExit(JOIN_BOUND_MS)).code, 2);
    assert.match(expired.process.output, /expired/);

    const garbage = await startJoiningNode("nxj1.bm90LWEtdG9rZW4");
    joiners.push(garbage);
    assert.is((await garbage.process.waitForExit(JOIN_BOUND_MS)).code, 2);
    assert.match(garbage.process.output, /not a join token/);
    assert.is((await membersOf(cluster, leader)).length, 3, "nobody joined");
  }));

test("a dead voter is replaced by a healthy learner, one change at a time", () =>
  withFleet({}, async (cluster, joiners) => {
    let leader = await cluster.leader();
    const settings = [
      ["voters", "3"],
      ["deadVoterAfterSeconds", "3"],
    ];
    for (const [key, value] of settings) {
      const put = await api(cluster, leader, "PUT", `/v1/settings/${key}`, { value });
      assert.is(put.status, 200, JSON.stringify(put.body));
    }
    const made = await askJoinToken(cluster, leader);
    const joiner = await startJoiningNode(made.token);
    joiners.push(joiner);
    await cluster.waitUntil(
      async () => (await roleOf(cluster, leader, made.nodeId)) === "learner",
      JOIN_BOUND_MS,
      `${made.nodeId} joined as a learner and stays one (voters is 3)`,
    );
    const victim = cluster.nodes.find((node) => node.id !== leader.id)!;
    await victim.kill("SIGKILL");
    await cluster.waitUntil(
      async () => {
        const members = await membersOf(cluster, leader).catch(() => []);
        const voters = members.filter((member) => member.role === "voter").map((m) => m.id);
        return voters.includes(made.nodeId) && !voters.includes(victim.id) && voters.length === 3;
      },
      JOIN_BOUND_MS,
      `the learner replaced ${victim.id} among the 3 voters`,
    );
    leader = await cluster.leader({ among: cluster.nodes.filter((node) => node.running) });
    await cluster.put("after-replacement", "written", { via: leader });
  }));

test("with voter candidates named, a leader that is not one hands leadership to one and becomes a learner, a candidate learner taking its vote", () =>
  withFleet({}, async (cluster, joiners) => {
    const first = await cluster.leader();
    const put = (value: string) =>
      api(cluster, first, "PUT", "/v1/settings/voterCandidates", { value });
    assert.is((await put("n1,n2")).status, 400, "fewer than three candidates are refused");
    assert.is((await put("n1,n2,N 3")).status, 400, "a list with a malformed id is refused");
    assert.is(
      (await api(cluster, first, "PUT", "/v1/settings/voters", { value: "3" })).status,
      200,
    );
    const made = await askJoinToken(cluster, first);
    joiners.push(await startJoiningNode(made.token));
    await cluster.waitUntil(
      async () => (await roleOf(cluster, first, made.nodeId)) === "learner",
      JOIN_BOUND_MS,
      `${made.nodeId} joined as a learner and stays one (voters is 3)`,
    );
    const others = cluster.nodes.filter((node) => node.id !== first.id).map((node) => node.id);
    const candidates = [...others, made.nodeId];
    const named = await put(candidates.join(","));
    assert.is(named.status, 200, JSON.stringify(named.body));
    await cluster.waitUntil(
      async () => {
        const leader = await cluster.leader({ timeoutMs: 2_000 }).catch(() => undefined);
        if (!leader || leader.id === first.id) return false;
        const members = await membersOf(cluster, leader).catch(() => []);
        const voters = members.filter((member) => member.role === "voter").map((m) => m.id);
        return (
          voters.length === 3 &&
          candidates.every((id) => voters.includes(id)) &&
          members.some((member) => member.id === first.id && member.role === "learner")
        );
      },
      JOIN_BOUND_MS,
      `leadership left ${first.id}, ${made.nodeId} voted in its place and ${first.id} became a learner`,
    );
    const leader = await cluster.leader();
    await cluster.put("after-candidates", "written", { via: leader });
    const history = await api(cluster, leader, "GET", "/v1/members");
    const changes = (history.body as { recentChanges: Array<Record<string, string>> })
      .recentChanges;
    assert.ok(
      changes.some(
        (change) =>
          change.change === "handedLeadership" &&
          candidates.includes(change.nodeId!) &&
          change.reason === `takes over from ${first.id}, not among the voter candidates`,
      ),
      JSON.stringify(changes),
    );
  }));

test("with voter candidates named, a server that is not one joins without the bot token and the data keys, registers and serves, and is never made a voter; one named before it joined gets both; never two pollers", async () => {
  const emulator = await createTelegramEmulator({ tokens: [TOKEN] });
  try {
    await withFleet(
      { env: { BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: emulator.apiRoot } },
      async (cluster, joiners) => {
        const leader = await cluster.leader();
        await emulator.waitForPolling(JOIN_BOUND_MS);
        const put = (key: string, value: string) =>
          api(cluster, leader, "PUT", `/v1/settings/${key}`, { value });
        assert.is((await put("voters", "3")).status, 200);
        const named = await askJoinToken(cluster, leader);
        const other = await askJoinToken(cluster, leader);
        const candidates = [...cluster.nodes.map((node) => node.id), named.nodeId];
        assert.is((await put("voterCandidates", candidates.join(","))).status, 200);
        for (const made of [named, other]) joiners.push(await startJoiningNode(made.token));
        const reported = async (nodeId: string) => {
          const server = await serverOf(cluster, leader, nodeId);
          return server && [server.holdsBotToken, server.holdsDataKeys];
        };
        await cluster.waitUntil(
          async () =>
            JSON.stringify(await reported(named.nodeId)) === "[true,true]" &&
            JSON.stringify(await reported(other.nodeId)) === "[false,false]",
          JOIN_BOUND_MS,
          `${named.nodeId} registered holding the bot token and the data keys, ${other.nodeId} neither`,
        );
        assert.match(joiners[1]!.process.tail(200), /BOT_TOKEN is not set/);
        assert.match(joiners[1]!.process.tail(200), /DATA_KEYS is not set/);
        assert.not.match(
          joiners[0]!.process.tail(200),
          /BOT_TOKEN is not set|DATA_KEYS is not set/,
        );
        // Named now, the keyless one is still not made a voter (the autopilot
        // looks every second); the cluster keeps writing meanwhile.
        assert.is((await put("voters", "5")).status, 200);
        assert.is(
          (await put("voterCandidates", [...candidates, other.nodeId].join(","))).status,
          200,
        );
        await cluster.waitUntil(
          async () => (await roleOf(cluster, leader, named.nodeId)) === "voter",
          JOIN_BOUND_MS,
          `${named.nodeId} promoted`,
        );
        await cluster.put("with-a-keyless-learner", "written", { via: leader });
        await sleep(3_000);
        assert.is(await roleOf(cluster, leader, other.nodeId), "learner");
      },
    );
    assert.equal(emulator.overlappingPolls(), [], "never two polls open at once");
  } finally {
    await emulator.stop();
  }
});

test("removing a member moves it out, revokes its key and stops it with exit code 4; too few voters is refused", () =>
  withFleet({}, async (cluster, joiners) => {
    const leader = await cluster.leader();
    const tooFew = await api(cluster, leader, "DELETE", `/v1/members/${cluster.nodes[1]!.id}`);
    assert.is(tooFew.status, 409);
    assert.is((tooFew.body as { error: { code: string } }).error.code, "TOO_FEW_VOTERS");

    const made = await askJoinToken(cluster, leader);
    const joiner = await startJoiningNode(made.token);
    joiners.push(joiner);
    await cluster.waitUntil(
      async () => (await roleOf(cluster, leader, made.nodeId)) !== undefined,
      JOIN_BOUND_MS,
      `${made.nodeId} joined`,
    );
    await cluster.waitUntil(
      async () => (await serverOf(cluster, leader, made.nodeId)) !== undefined,
      JOIN_BOUND_MS,
      `${made.nodeId} registered its server`,
    );
    const removed = await api(cluster, leader, "DELETE", `/v1/members/${made.nodeId}`, {
      reason: "retired",
    });
    assert.is(removed.status, 202, JSON.stringify(removed.body));
    const exit = await joiner.process.waitForExit(JOIN_BOUND_MS);
    assert.is(exit.code, 4);
    assert.match(joiner.process.output, /was removed from the cluster/);
    await cluster.waitUntil(
      async () => (await roleOf(cluster, leader, made.nodeId)) === undefined,
      JOIN_BOUND_MS,
      `${made.nodeId} left the membership`,
    );
    await keyRevoked(cluster, leader, made.nodeId);
    assert.is((await serverOf(cluster, leader, made.nodeId))?.status, "removed");
    // Its id is never handed out again.
    const again = await api(cluster, leader, "POST", "/v1/join-tokens", { nodeId: made.nodeId });
    assert.is(again.status, 409);
  }));

test("removing the leader: it hands leadership over and stops with exit code 4, and the next leader finishes the removal", () =>
  withFleet({}, async (cluster, joiners) => {
    const first = await cluster.leader();
    const made = await askJoinToken(cluster, first);
    const joiner = await startJoiningNode(made.token);
    joiners.push(joiner);
    await cluster.waitUntil(
      async () => (await roleOf(cluster, first, made.nodeId)) === "voter",
      JOIN_BOUND_MS,
      `${made.nodeId} joined and was promoted`,
    );
    const removed = await api(cluster, first, "DELETE", `/v1/members/${first.id}`, {
      reason: "retired",
    });
    assert.is(removed.status, 202, JSON.stringify(removed.body));
    const exit = await first.process.waitForExit(JOIN_BOUND_MS);
    assert.is(exit.code, 4);
    const rest = cluster.nodes.filter((node) => node.id !== first.id);
    const next = await cluster.leader({ among: rest, timeoutMs: JOIN_BOUND_MS });
    await cluster.waitUntil(
      async () => (await roleOf(cluster, next, first.id)) === undefined,
      JOIN_BOUND_MS,
      `${first.id} left the membership`,
    );
    await keyRevoked(cluster, next, first.id);
    await cluster.put("after-leader-removal", "written", { via: next });
  }));

test.run();
