/**
 * Drives a 3-node Raft cluster entirely in memory with the pure core: no
 * timers, no sockets, no Redis. Run: npx tsx scripts/examples/in-memory-cluster.ts
 */
import { bootstrapStorage } from "../../cluster/raft/bootstrap.ts";
import { seededRandom } from "../../cluster/raft/random.ts";
import { RawNode } from "../../cluster/raft/raw-node.ts";
import { MemoryStorage } from "../../cluster/raft/storage.ts";
import type { ConfChange, Message } from "../../cluster/raft/types.ts";

const ids = ["n1", "n2", "n3"];
const applied = new Map<string, string[]>(ids.map((id) => [id, []]));
const nodes = new Map(
  ids.map((id, position) => {
    const storage = new MemoryStorage();
    bootstrapStorage(storage, ids); // the founding membership, as entries 1..3
    const node = new RawNode({
      id,
      storage,
      electionTicks: 10,
      heartbeatTicks: 1,
      random: seededRandom(position + 1),
    });
    return [id, { node, storage }];
  }),
);

/** The driver's loop: persist, send, apply, advance, until nobody has anything to do. */
function settle(): void {
  const inbox: Message[] = [];
  for (let rounds = 0; rounds < 1000; rounds++) {
    let busy = false;
    for (const [id, { node, storage }] of nodes) {
      if (!node.hasReady()) continue;
      busy = true;
      const ready = node.ready();
      storage.append(ready.entries); // 1. persist
      if (ready.hardState) storage.setHardState(ready.hardState);
      inbox.push(...ready.messages); // 2. send
      for (const entry of ready.committedEntries) {
        // 3. apply
        if (entry.type === "confChange") node.applyConfChange(JSON.parse(entry.data) as ConfChange);
        else if (entry.data !== "") applied.get(id)!.push(entry.data);
      }
      node.advance(ready); // 4. advance
    }
    for (const message of inbox.splice(0)) nodes.get(message.to)!.node.step(message);
    if (!busy && inbox.length === 0) return;
  }
}

settle(); // apply the bootstrap membership
nodes.get("n1")!.node.campaign();
settle();
console.log("leader:", nodes.get("n2")!.node.status().leaderId);

console.log("propose at a follower:", nodes.get("n3")!.node.propose("hello"));
nodes.get("n1")!.node.propose("world");
settle();
for (const [id, entries] of applied) console.log(`${id} applied`, entries);
