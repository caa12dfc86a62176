import { test } from "uvu";
import * as assert from "uvu/assert";
import { seededRandom } from "../../../cluster/raft/random.ts";
import { SimulatedInterfaces } from "../../../scripts/simulation/simulated-interfaces.ts";
import {
  peersOnInterfaces,
  simulatedTrafficReporter,
} from "../../../scripts/simulation/simulated-traffic-agent.ts";
import type { Fixture } from "../../cluster/fsm/support/control-plane-fixture.ts";
import { fleetFixture, suspendUser10, T0 } from "./support/fleet-fixture.ts";

/** n1's node's reporter on the fixture's state: each call reports at `now` and returns what it proposed. */
function n1Agent(fixture: Fixture): (now: number) => Promise<string[]> {
  const interfaces = new SimulatedInterfaces(seededRandom(1));
  return async (now) => {
    const proposed: string[] = [];
    const reporter = simulatedTrafficReporter({
      serverId: "n1",
      interfaces,
      state: () => fixture.state,
      now: () => now,
      propose: async (command) => {
        proposed.push(command);
      },
    });
    await reporter.reportIfDue();
    return proposed;
  };
}

test("a server's interfaces hold its configs' WireGuard peers and Shadowsocks ports, not a suspended user's", () => {
  const fixture = fleetFixture();
  const c1 = fixture.state.config("c1")!;
  assert.equal(peersOnInterfaces(fixture.state, "n1"), [c1.clientPublicKey, "ss:20000"]);
  suspendUser10(fixture);
  assert.equal(peersOnInterfaces(fixture.state, "n1"), []);
});

test("the node's reporter proposes the counters of its server's configs, each by its peer", async () => {
  const fixture = fleetFixture();
  const [report] = await n1Agent(fixture)(T0);
  const command = JSON.parse(report!);
  assert.is(command.type, "reportTraffic");
  assert.is(command.serverId, "n1");
  assert.is(command.at, T0);
  const peers = command.counters.map((counter: { configId: string; peer: string }) => [
    counter.configId,
    counter.peer,
  ]);
  // Counters of idle peers are left out; the others name their config.
  for (const [configId, peer] of peers)
    assert.is(peer, configId === "c1" ? fixture.state.config("c1")!.clientPublicKey : "ss:20000");
  assert.ok(fixture.apply(report!).ok, "apply counts the report");
});

test("no report before the interval since the server's last one has passed", async () => {
  const fixture = fleetFixture();
  const reportAt = n1Agent(fixture);
  const [first] = await reportAt(T0);
  fixture.apply(first!);
  assert.equal(await reportAt(T0 + 59_000), []);
  assert.is((await reportAt(T0 + 60_000)).length, 1);
});

test.run();
