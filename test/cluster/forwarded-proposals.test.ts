/**
 * Proposals a follower forwards reach apply stamped with the follower's id,
 * on a real in-process cluster: a node forwards reports about its own server
 * and nothing else; admin commands and identity keys change only through the
 * leader's own process.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { CommandRefusedError } from "../../cluster/control-plane-service.ts";
import { generateNodeIdentity } from "../../cluster/identity/node-identity.ts";
import { generateKeyPair } from "../../shared/crypto/wireguard-keys.ts";
import { command } from "./fsm/support/control-plane-fixture.ts";
import { startInMemoryCluster, type TestMember } from "./support/in-memory-cluster.ts";

function registration(serverId: string, at: number) {
  return { ...command.registerServer(serverId), publicKey: generateKeyPair().publicKey, at };
}

/** Runs `body` on a fresh three-node cluster with its leader and a follower that knows it. */
async function withLeaderAndFollower(
  body: (members: { leader: TestMember; follower: TestMember }) => Promise<void>,
): Promise<void> {
  const cluster = await startInMemoryCluster(3);
  try {
    const leader = await cluster.leader();
    const follower = [...cluster.members.values()].find((member) => member !== leader)!;
    await cluster.waitFor(
      () => follower.node.status().leaderId === leader.id,
      5000,
      "the follower to know the leader",
    );
    await body({ leader, follower });
  } finally {
    await cluster.stop();
  }
}

async function refusalCode(run: Promise<unknown>): Promise<string> {
  try {
    await run;
    return "applied";
  } catch (error) {
    if (error instanceof CommandRefusedError) return error.code;
    throw error;
  }
}

test("a follower registers its own server through the leader, but no other", async () => {
  await withLeaderAndFollower(async ({ leader, follower }) => {
    const { service } = follower.assembled;
    assert.is(await refusalCode(service.run(registration(follower.id, service.now()))), "applied");
    assert.is(
      await refusalCode(service.run(registration(leader.id, service.now()))),
      "NOT_OWN_SERVER",
    );
    assert.is(leader.state.server(leader.id), undefined, "nothing was registered for the leader");
    assert.is(
      await refusalCode(leader.assembled.service.run(registration(leader.id, service.now()))),
      "applied",
    );
  });
});

test("a follower's reports about its own server count: registration, endpoint, load and probe peer", async () => {
  await withLeaderAndFollower(async ({ leader, follower }) => {
    const { service } = follower.assembled;
    const at = service.now();
    const reports = [
      registration(follower.id, at),
      { type: "setServerEndpoint", serverId: follower.id, endpointHost: "198.51.100.2", at },
      {
        type: "reportServerLoad",
        serverId: follower.id,
        activePeers: 7,
        rxBytes: 1,
        txBytes: 2,
        at,
      },
      {
        type: "setProbePeer",
        serverId: follower.id,
        publicKey: generateKeyPair().publicKey,
        privateKeyEncrypted: "sealed-probe-key",
        at,
      },
    ] as const;
    for (const report of reports)
      assert.is(await refusalCode(service.run(report)), "applied", report.type);
    const server = leader.state.server(follower.id);
    assert.is(server?.endpointHost, "198.51.100.2");
    assert.is(server?.load?.activePeers, 7);
    assert.ok(server?.probePeer, "the probe peer is registered");
  });
});

test("an admin command a follower proposes (a ban, a setting, an identity key) is refused as FORWARDED_COMMAND_REFUSED and changes nothing; the leader's own is applied", async () => {
  await withLeaderAndFollower(async ({ leader, follower }) => {
    const at = Date.now();
    assert.is(
      await refusalCode(leader.assembled.service.run(registration(leader.id, at))),
      "applied",
    );
    const commands = [
      {
        type: "setServerStatus",
        serverId: leader.id,
        status: "banned",
        reason: "forged",
        actor: { kind: "api" },
        at,
      },
      { type: "setSetting", key: "configsPerUser", value: "100", actor: { kind: "api" } },
      {
        type: "pinNodeKey",
        nodeId: follower.id,
        publicKey: generateNodeIdentity().publicKey,
        actor: follower.id,
        at,
      },
    ] as const;
    for (const admin of commands)
      assert.is(
        await refusalCode(follower.assembled.service.run(admin)),
        "FORWARDED_COMMAND_REFUSED",
        admin.type,
      );
    const effects = () => ({
      status: leader.state.server(leader.id)?.status,
      configsPerUser: leader.state.getSetting("configsPerUser"),
      followerKey: leader.state.pinnedKeyOf(follower.id),
    });
    assert.equal(effects(), {
      status: "active",
      configsPerUser: undefined,
      followerKey: undefined,
    });
    for (const admin of commands)
      assert.is(await refusalCode(leader.assembled.service.run(admin)), "applied", admin.type);
    assert.equal(effects(), {
      status: "banned",
      configsPerUser: "100",
      followerKey: commands[2].publicKey,
    });
  });
});

test.run();
