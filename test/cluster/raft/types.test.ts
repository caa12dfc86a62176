/**
 * The core's vocabulary is plain data: messages go over WebSockets as JSON and
 * Ready batches into Redis, so nothing the core produces may be lost or
 * changed by a JSON round trip (no undefined fields, no class instances).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { MessageType } from "../../../cluster/raft/types.ts";
import { Network } from "./support/network.ts";

function roundTrip<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

test("every message and Ready of a busy cluster survives a JSON round trip unchanged", () => {
  const network = new Network({ voters: ["n1", "n2", "n3"], bootstrap: true, recordReadies: true });
  network.tickUntil(() => network.leaders().length === 1, 100);
  const [leader = ""] = network.leaders();
  const follower = ["n1", "n2", "n3"].find((id) => id !== leader) ?? "";
  network.isolate(follower);
  for (let count = 0; count < 5; count++) network.propose(leader, `entry ${count}`);
  network.compact(leader, network.raft(leader).log.applied);
  network.recover();
  network.tickAll(3);
  network.propose(follower, "forwarded");
  network.node(follower).raw.readIndex("read-1");
  network.node(follower).raw.transferLeadership(follower);
  network.stabilize();
  network.tickAll(3);

  const messages = [...network.delivered, ...network.dropped];
  const types = new Set(messages.map((m) => m.type));
  const expected: MessageType[] = [
    "preVote",
    "vote",
    "app",
    "heartbeat",
    "snap",
    "prop",
    "readIndex",
    "readIndexResp",
    "transferLeader",
    "timeoutNow",
  ];
  for (const type of expected) assert.ok(types.has(type), `the scenario exercised ${type}`);
  for (const message of messages) assert.equal(roundTrip(message), message);
  assert.ok(network.readies.length > 10);
  for (const ready of network.readies) assert.equal(roundTrip(ready), ready);
});

test.run();
