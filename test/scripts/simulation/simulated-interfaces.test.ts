import { test } from "uvu";
import * as assert from "uvu/assert";
import { seededRandom } from "../../../cluster/raft/random.ts";
import { SimulatedInterfaces } from "../../../scripts/simulation/simulated-interfaces.ts";

function countersOf(interfaces: SimulatedInterfaces, serverId: string, peers: string[]) {
  return new Map(interfaces.read(serverId, peers).map((counter) => [counter.peer, counter]));
}

test("a peer's counters only grow while it stays on the interface", () => {
  const interfaces = new SimulatedInterfaces(seededRandom(1));
  let last = countersOf(interfaces, "n1", ["a", "ss:20000"]);
  for (let read = 0; read < 20; read++) {
    const next = countersOf(interfaces, "n1", ["a", "ss:20000"]);
    for (const [peer, counter] of next) {
      assert.ok(counter.rxBytes >= last.get(peer)!.rxBytes, `${peer} received bytes never shrink`);
      assert.ok(counter.txBytes >= last.get(peer)!.txBytes, `${peer} sent bytes never shrink`);
    }
    last = next;
  }
  assert.ok(last.get("a")!.rxBytes > 0, "twenty reads moved some traffic");
});

test("a peer that left the interface counts from zero when it comes back", () => {
  const interfaces = new SimulatedInterfaces(seededRandom(2));
  for (let read = 0; read < 10; read++) interfaces.read("n1", ["a"]);
  const grown = countersOf(interfaces, "n1", ["a"]).get("a")!;
  interfaces.read("n1", []);
  const back = countersOf(interfaces, "n1", ["a"]).get("a")!;
  assert.ok(back.rxBytes + back.txBytes < grown.rxBytes + grown.txBytes);
});

test("each server has its own interfaces, and a seed gives the same traffic", () => {
  const first = new SimulatedInterfaces(seededRandom(3));
  const second = new SimulatedInterfaces(seededRandom(3));
  for (let read = 0; read < 5; read++) {
    assert.equal(first.read("n1", ["a"]), second.read("n1", ["a"]));
    assert.equal(first.read("n2", ["a"]), second.read("n2", ["a"]));
  }
  assert.equal(first.read("n3", []), [], "a server without peers counts nothing");
});

test.run();
