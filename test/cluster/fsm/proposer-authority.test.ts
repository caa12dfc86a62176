import { test } from "uvu";
import * as assert from "uvu/assert";
import { ControlPlaneState } from "../../../cluster/fsm/control-plane.ts";
import { generateNodeIdentity } from "../../../cluster/identity/node-identity.ts";
import { command, T0 } from "./support/control-plane-fixture.ts";

const registration = (serverId: string) => JSON.stringify(command.registerServer(serverId));

function codeOf(result: ReturnType<ControlPlaneState["apply"]>): string {
  return result.ok ? "applied" : result.error.code;
}

test("a forwarded report about the forwarder's own server is applied", () => {
  const state = new ControlPlaneState();
  assert.is(codeOf(state.apply(registration("n2"), 1, "n2")), "applied");
});

test("a forwarded report about another server is refused and changes nothing", () => {
  const state = new ControlPlaneState();
  assert.is(codeOf(state.apply(registration("n1"), 1, "n2")), "NOT_OWN_SERVER");
  assert.is(state.server("n1"), undefined);
  const moves = [
    { type: "setServerEndpoint", serverId: "n1", endpointHost: "198.51.100.9", at: T0 },
    { type: "reportServerLoad", serverId: "n1", activePeers: 1, rxBytes: 0, txBytes: 0, at: T0 },
  ];
  for (const move of moves)
    assert.is(codeOf(state.apply(JSON.stringify(move), 2, "n2")), "NOT_OWN_SERVER");
});

test("the leader's own proposals are not limited: it reports for itself and runs the admin's commands", () => {
  const state = new ControlPlaneState();
  assert.is(codeOf(state.apply(registration("n1"), 1)), "applied");
});

test("identity keys change only through the leader's own process, never by a forwarded proposal", () => {
  const state = new ControlPlaneState();
  const key = generateNodeIdentity().publicKey;
  const commands = [
    { type: "pinNodeKey", nodeId: "n2", publicKey: key, actor: "n2", at: T0 },
    { type: "replaceNodeKey", nodeId: "n1", publicKey: key, actor: "n2", reason: "", at: T0 },
    { type: "revokeNodeKey", nodeId: "n1", actor: "n2", reason: "", at: T0 },
  ];
  for (const keyCommand of commands)
    assert.is(codeOf(state.apply(JSON.stringify(keyCommand), 1, "n2")), "LEADER_ONLY_COMMAND");
  assert.equal(state.nodeKeys(), []);
  assert.is(codeOf(state.apply(JSON.stringify(commands[0]), 2)), "applied");
});

test.run();
