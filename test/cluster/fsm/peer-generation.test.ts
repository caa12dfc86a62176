import { test } from "uvu";
import * as assert from "uvu/assert";
import { command, Fixture, T0 } from "./support/control-plane-fixture.ts";

test("a change of any server's peers moves the peer generation; settings and load reports do not", () => {
  const fixture = new Fixture();
  fixture.ok(command.registerServer("n1"));
  fixture.ok(command.upsertUser("10"));
  const before = fixture.state.peerGeneration;
  fixture.ok({ type: "setSetting", key: "motd", value: "hi", actor: { kind: "api" } });
  fixture.ok({
    type: "reportServerLoad",
    serverId: "n1",
    activePeers: 0,
    rxBytes: 0,
    txBytes: 0,
    at: T0,
  });
  assert.is(fixture.state.peerGeneration, before, "nothing a server's interface holds changed");
  fixture.ok(command.issueConfig("c1", "10"));
  assert.ok(fixture.state.peerGeneration > before, "a new client");
  const issued = fixture.state.peerGeneration;
  fixture.ok(command.revokeConfig("c1"));
  assert.ok(fixture.state.peerGeneration > issued, "a client gone");
});

test("a refused command or a snapshot restore: only the restore counts", () => {
  const fixture = new Fixture();
  const before = fixture.state.peerGeneration;
  fixture.refused(command.revokeConfig("nope"), "UNKNOWN_CONFIG");
  assert.is(fixture.state.peerGeneration, before);
  fixture.state.restore(fixture.state.snapshot());
  assert.ok(fixture.state.peerGeneration > before);
});

test.run();
