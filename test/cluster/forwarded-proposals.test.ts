/**
 * Proposals a follower forwards reach apply stamped with the follower's id,
 * on a real in-process cluster: a node reports about its own server only,
 * and identity keys change only through the leader.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { CommandRefusedError } from "../../cluster/control-plane-service.ts";
import { generateNodeIdentity } from "../../cluster/identity/node-identity.ts";
import { generateKeyPair } from "../../shared/crypto/wireguard-keys.ts";
import { command } from "./fsm/support/control-plane-fixture.ts";
import { startInMemoryCluster } from "./support/in-memory-cluster.ts";

function registration(serverId: string, at: number) {
  return { ...command.registerServer(serverId), publicKey: generateKeyPair().publicKey, at };
}

/** The leader and a follower that knows it. */
async function leaderAndFollower(cluster: Awaited<ReturnType<typeof startInMemoryCluster>>) {
  const leader = await cluster.leader();
  const follower = [...cluster.members.values()].find((member) => member !== leader)!;
  await cluster.waitFor(
    () => follower.node.status().leaderId === leader.id,
    5000,
    "the follower to know the leader",
  );
  return { leader, follower };
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
  const cluster = await startInMemoryCluster(3);
  try {
    const { leader, follower } = await leaderAndFollower(cluster);
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
  } finally {
    await cluster.stop();
  }
});

test("a follower cannot pin, replace or revoke an identity key; the leader can", async () => {
  const cluster = await startInMemoryCluster(3);
  try {
    const { leader, follower } = await leaderAndFollower(cluster);
    const pin = {
      type: "pinNodeKey",
      nodeId: follower.id,
      publicKey: generateNodeIdentity().publicKey,
      actor: follower.id,
      at: Date.now(),
    } as const;
    assert.is(await refusalCode(follower.assembled.service.run(pin)), "LEADER_ONLY_COMMAND");
    assert.is(await refusalCode(leader.assembled.service.run(pin)), "applied");
  } finally {
    await cluster.stop();
  }
});

test.run();
