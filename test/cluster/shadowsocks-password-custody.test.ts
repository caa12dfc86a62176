/**
 * A Shadowsocks password has no forward secrecy behind it: whoever reads it
 * can decrypt every recorded session. So the replicated state holds it only
 * sealed to the one server whose node serves the port, and briefly in the
 * delivery copy that is erased once the user has the key.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { desiredPortsFrom } from "../../cluster/agent/desired-shadowsocks-ports.ts";
import { serverCopyItem } from "../../cluster/config-key-custody-task.ts";
import { sealDeliveryKeys } from "../../cluster/delivery-keys.ts";
import { SealedSecrets } from "../../cluster/sealed-secrets.ts";
import { generateKeyPair, generatePresharedKey } from "../../shared/crypto/wireguard-keys.ts";
import { openWithWireGuardKey } from "../../shared/crypto/wireguard-sealed-box.ts";
import { command, Fixture, T0 } from "./fsm/support/control-plane-fixture.ts";
import { TEST_DATA_KEYS } from "./support/in-memory-cluster.ts";

const sealing = new SealedSecrets(TEST_DATA_KEYS);
const ports = { firstPort: 20000, lastPort: 20099, method: "chacha20-ietf-poly1305" } as const;

function twoShadowsocksServers() {
  const keys = { n1: generateKeyPair(), n2: generateKeyPair() };
  const fixture = new Fixture();
  for (const [id, pair] of Object.entries(keys))
    fixture.ok(
      command.registerServer(id, {
        publicKey: pair.publicKey,
        protocols: ["shadowsocks"],
        shadowsocks: ports,
        capacity: id === "n1" ? 10 : 1,
      }),
    );
  fixture.ok(command.upsertUser("10"));
  // n2 is fuller, so the config lands on n1.
  fixture.ok(command.issueConfig("filler", "10", { protocol: "shadowsocks" }));
  return { fixture, keys };
}

test("a Shadowsocks password is sealed to its own server: that node opens it, another server's node cannot", () => {
  const { fixture, keys } = twoShadowsocksServers();
  const client = generateKeyPair();
  const password = generatePresharedKey();
  fixture.ok(
    command.issueConfig("c1", "10", {
      protocol: "shadowsocks",
      clientPublicKey: client.publicKey,
      deliveryKeysSealed: sealDeliveryKeys(sealing, "c1", {
        privateKey: client.privateKey,
        presharedKey: password,
      }),
    }),
  );
  const config = fixture.state.config("c1")!;
  const server = fixture.state.server(config.serverId)!;
  const other = config.serverId === "n1" ? "n2" : "n1";
  const item = serverCopyItem(sealing, config, server)!;
  fixture.ok({ type: "sealServerPresharedKeys", items: [item], at: T0 + 1 });

  const sealed = fixture.state.config("c1")!.shadowsocks!.passwordSealed!;
  assert.not.match(sealed, password, "never in the clear");
  const own = keys[config.serverId as "n1" | "n2"];
  assert.equal(openWithWireGuardKey(own, config.clientPublicKey, sealed), {
    ok: true,
    value: password,
  });
  const foreign = openWithWireGuardKey(keys[other], config.clientPublicKey, sealed);
  assert.is(foreign.ok ? "opened" : foreign.error.code, "SEALED_BOX_AUTH_FAILED");

  // What each node's agent would serve: the owner the port with the password; the other nothing of it.
  const openWith =
    (pair: { privateKey: string; publicKey: string }) => (box: string, context: string) =>
      openWithWireGuardKey(pair, context, box);
  const ownPorts = desiredPortsFrom(
    fixture.state.desiredShadowsocksPorts(config.serverId),
    openWith(own),
  );
  assert.equal(ownPorts.ports, [
    { port: config.shadowsocks!.port, password, method: ports.method },
  ]);
  const stolen = desiredPortsFrom(
    fixture.state.desiredShadowsocksPorts(config.serverId),
    openWith(keys[other]),
  );
  assert.equal(stolen.ports, [], "a seized other node holds the sealed copy but cannot read it");
  assert.equal(
    stolen.skipped.map((skip) => skip.configId),
    ["c1"],
  );
});

test("the delivery copy goes once the user has the key and the server copy is sealed", () => {
  const { fixture } = twoShadowsocksServers();
  const client = generateKeyPair();
  fixture.ok(
    command.issueConfig("c1", "10", {
      protocol: "shadowsocks",
      clientPublicKey: client.publicKey,
      deliveryKeysSealed: sealDeliveryKeys(sealing, "c1", {
        privateKey: client.privateKey,
        presharedKey: generatePresharedKey(),
      }),
    }),
  );
  const erased = fixture.ok({
    type: "eraseConfigKeys",
    configIds: ["c1"],
    reason: "delivered",
    at: T0 + 1,
  });
  assert.equal(erased.waiting, ["c1"], "kept until the server can serve the port");
  const config = fixture.state.config("c1")!;
  fixture.ok({
    type: "sealServerPresharedKeys",
    items: [serverCopyItem(sealing, config, fixture.state.server(config.serverId)!)!],
    at: T0 + 2,
  });
  const after = fixture.state.config("c1")!;
  assert.is(after.deliveryKeysSealed, null);
  assert.is(after.keysErasedReason, "delivered");
  assert.ok(after.shadowsocks!.passwordSealed);
});

test.run();
