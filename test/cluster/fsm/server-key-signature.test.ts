/**
 * A server's WireGuard key changes only with its node's identity signature,
 * once that identity is pinned: no other node, not even the leader, can
 * re-key a server to send its users through itself.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { serverKeyStatement } from "../../../cluster/fsm/server-key-signature.ts";
import {
  generateNodeIdentity,
  type NodeIdentity,
} from "../../../cluster/identity/node-identity.ts";
import { command, Fixture, T0, wgKey } from "./support/control-plane-fixture.ts";

const n1 = generateNodeIdentity();
const impostor = generateNodeIdentity();

function signed(identity: NodeIdentity, serverId: string, publicKey: string): string {
  return identity.sign(serverKeyStatement(serverId, publicKey)).toString("base64url");
}

function pinnedServer(): Fixture {
  const fixture = new Fixture();
  fixture.ok(command.registerServer("n1", { publicKey: wgKey(1, 5) }));
  fixture.ok({ type: "pinNodeKey", nodeId: "n1", publicKey: n1.publicKey, actor: "n1", at: T0 });
  return fixture;
}

test("a pinned node re-keys its server with its identity signature", () => {
  const fixture = pinnedServer();
  const newKey = wgKey(2, 5);
  fixture.ok(
    command.registerServer("n1", {
      publicKey: newKey,
      identitySignature: signed(n1, "n1", newKey),
    }),
  );
  assert.is(fixture.state.server("n1")!.publicKey, newKey);
});

test("a new WireGuard key without the node's signature, or signed by another key or for another key, is refused and changes nothing", () => {
  const fixture = pinnedServer();
  const newKey = wgKey(3, 5);
  for (const identitySignature of [
    undefined,
    signed(impostor, "n1", newKey),
    signed(n1, "n1", wgKey(4, 5)),
    signed(n1, "n2", newKey),
    "A".repeat(86),
  ]) {
    fixture.refused(
      command.registerServer("n1", {
        publicKey: newKey,
        ...(identitySignature === undefined ? {} : { identitySignature }),
      }),
      "BAD_SERVER_KEY_SIGNATURE",
    );
  }
  fixture.refused(
    { ...command.registerServer("n1", { publicKey: newKey }), identitySignature: "short" },
    "INVALID_COMMAND",
  );
  assert.is(fixture.state.server("n1")!.publicKey, wgKey(1, 5));
});

test("re-registering the same key needs no signature (a restart), nor does a server whose node is not pinned yet (founding)", () => {
  const fixture = pinnedServer();
  fixture.ok(command.registerServer("n1", { publicKey: wgKey(1, 5), capacity: 9 }));
  fixture.ok(command.registerServer("n2", { publicKey: wgKey(6, 5) }));
  fixture.ok(command.registerServer("n2", { publicKey: wgKey(7, 5) }));
});

test("once a node is pinned, even its server's first registration must be signed", () => {
  const fixture = new Fixture();
  fixture.ok({ type: "pinNodeKey", nodeId: "n3", publicKey: n1.publicKey, actor: "n1", at: T0 });
  fixture.refused(
    command.registerServer("n3", { publicKey: wgKey(8, 5) }),
    "BAD_SERVER_KEY_SIGNATURE",
  );
  fixture.ok(
    command.registerServer("n3", {
      publicKey: wgKey(8, 5),
      identitySignature: signed(n1, "n3", wgKey(8, 5)),
    }),
  );
});

test.run();
