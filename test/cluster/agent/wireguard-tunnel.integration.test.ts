/**
 * A real tunnel: a server namespace whose interface the WireGuardDriver sets
 * up (served by wireguard-go), a client namespace configured from the exact
 * `.conf` we render, joined by a veth pair on 192.0.2.0/24 (TEST-NET-1, only
 * inside the namespaces), which is also the server's default route; behind
 * the server two more namespaces on 10.200.0.0/24 (blocked to clients) and
 * 10.201.0.0/24 (not), as a provider's private networks would be. Needs
 * root and wireguard-tools, wireguard-go, iproute2, iputils-ping and
 * nftables; without them it is skipped, except under CI.
 */
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { WireGuardDriver } from "../../../cluster/agent/wireguard-driver.ts";
import { renderClientConfig } from "../../../cluster/client-config/wireguard-conf.ts";
import { generateKeyPair, generatePresharedKey } from "../../../shared/crypto/wireguard-keys.ts";
import {
  missingNetworkPrerequisites,
  TestNetwork,
  VPN_TOOLS,
} from "../../support/network-namespace.ts";
import { parseConf } from "../../support/parse-conf.ts";
import { pingsWithin, startWireGuardClient } from "../../support/wireguard-client.ts";

const serverUnderlay = "192.0.2.1";
const clientUnderlay = "192.0.2.2";
const listenPort = 51820;
const serverTunnelAddress = "10.64.0.1";
const blockedLanHost = "10.200.0.2";
/** The server's own address on the blocked network, where a service bound to that network listens. */
const serverBlockedLanAddress = "10.200.0.1";
const openLanHost = "10.201.0.2";

const missing = missingNetworkPrerequisites(VPN_TOOLS);

if (missing.length > 0 && !process.env.CI) {
  test.skip(`a real tunnel (needs ${missing.join(", ")})`, () => {});
} else {
  test("a client configured from the rendered .conf reaches the server, and the networks behind it that are not blocked, until its peer is removed", async () => {
    assert.equal(missing, [], "CI must provide root, the WireGuard tools and /dev/net/tun");
    const network = new TestNetwork();
    try {
      const serverNamespace = await network.addNamespace("srv");
      const clientNamespace = await network.addNamespace("cli");
      await network.link(
        { namespace: serverNamespace, address: `${serverUnderlay}/24` },
        { namespace: clientNamespace, address: `${clientUnderlay}/24` },
      );
      await network.addDefaultRoute(serverNamespace, clientUnderlay);
      // Two networks behind the server, as a provider's private network would be; one is blocked.
      const blockedLan = await network.addNamespace("lna");
      const openLan = await network.addNamespace("lnb");
      await network.link(
        { namespace: serverNamespace, address: `${serverBlockedLanAddress}/24` },
        { namespace: blockedLan, address: `${blockedLanHost}/24` },
      );
      await network.link(
        { namespace: serverNamespace, address: "10.201.0.1/24" },
        { namespace: openLan, address: `${openLanHost}/24` },
      );
      await network.addDefaultRoute(blockedLan, "10.200.0.1");
      await network.addDefaultRoute(openLan, "10.201.0.1");

      const interfaceName = network.wireGuardInterfaceName();
      const nftTables = () => network.exec(serverNamespace, "nft", ["list", "tables"]);
      const created = WireGuardDriver.create({
        interfaceName,
        listenPort,
        mtu: 1280,
        privateKeyFile: join(network.directory, "server", "private.key"),
        networkNamespace: serverNamespace,
        blockedDestinations: ["10.200.0.0/24"],
      });
      assert.ok(created.ok);
      const driver = created.value;
      const serverPublicKey = await driver.serverPublicKey();
      assert.ok(serverPublicKey.ok, JSON.stringify(serverPublicKey));

      const client = generateKeyPair();
      const presharedKey = generatePresharedKey();
      const clientPeer = {
        publicKey: client.publicKey,
        presharedKey,
        allowedIps: ["10.64.0.2/32"],
      };
      const applied = await driver.apply({
        address: `${serverTunnelAddress}/24`,
        peers: [clientPeer],
      });
      assert.ok(applied.ok, JSON.stringify(applied));
      // A second apply finds the interface as it left it and changes nothing.
      assert.ok(
        (await driver.apply({ address: `${serverTunnelAddress}/24`, peers: [clientPeer] })).ok,
      );
      const table = await network.exec(serverNamespace, "nft", [
        "list",
        "table",
        "inet",
        `nexaloak_${interfaceName}`,
      ]);
      assert.is(table.match(/masquerade/g)?.length, 1, "applied twice, the rules are there once");
      assert.is(
        table.match(/drop/g)?.length,
        3,
        "clients kept apart, the blocked network, and the server's own address on it",
      );

      const conf = renderClientConfig({
        clientPrivateKey: client.privateKey,
        clientAddress: "10.64.0.2",
        serverPublicKey: serverPublicKey.value,
        presharedKey,
        endpoint: { host: serverUnderlay, port: listenPort },
        dns: ["192.0.2.53"],
        mtu: 1280,
      });
      assert.ok(conf.ok);
      assert.is(parseConf(conf.value).interface.Address, "10.64.0.2/32");
      await startWireGuardClient(network, {
        namespace: clientNamespace,
        interfaceName: network.wireGuardInterfaceName(),
        conf: conf.value,
        routes: ["10.64.0.0/24", "10.200.0.0/24", "10.201.0.0/24"],
        directory: network.directory,
      });

      assert.ok(
        await pingsWithin(clientNamespace, serverTunnelAddress, 10),
        "the client pings the server through the tunnel",
      );
      assert.ok(
        await pingsWithin(clientNamespace, openLanHost, 10),
        "a network behind the server that is not blocked is reached through it",
      );
      assert.not.ok(
        await pingsWithin(clientNamespace, blockedLanHost, 2),
        "a blocked network is not",
      );
      assert.not.ok(
        await pingsWithin(clientNamespace, serverBlockedLanAddress, 2),
        "nor the server's own address on it: packets for the server itself do not pass the forward chain",
      );

      const peers = await driver.readPeers();
      assert.ok(peers.ok, JSON.stringify(peers));
      assert.is(peers.value.length, 1);
      const [seen] = peers.value;
      assert.is(seen?.publicKey, client.publicKey);
      assert.is(seen?.presharedKey, presharedKey);
      assert.ok(seen?.latestHandshakeAtMs !== null, "a handshake happened");
      assert.ok(Math.abs(Date.now() - (seen?.latestHandshakeAtMs ?? 0)) < 60_000);
      assert.ok((seen?.receivedBytes ?? 0) > 0 && (seen?.sentBytes ?? 0) > 0);
      assert.match(
        seen?.endpoint ?? "",
        new RegExp(`^${clientUnderlay.replaceAll(".", "\\.")}:\\d+$`),
      );

      const removed = await driver.apply({ address: `${serverTunnelAddress}/24`, peers: [] });
      assert.ok(removed.ok, JSON.stringify(removed));
      assert.equal(await driver.readPeers(), { ok: true, value: [] });
      assert.not.ok(
        await pingsWithin(clientNamespace, serverTunnelAddress, 2),
        "the ping fails once the peer is removed",
      );
      assert.ok((await driver.release()).ok);
      assert.not.match(await nftTables(), `nexaloak_${interfaceName}`, "release removes the table");
      assert.ok((await driver.release()).ok, "releasing again is no error");
    } finally {
      network.tearDown();
    }
    assert.equal(network.leftoverNamespaces(), [], "namespaces deleted");
  });
}

test.run();
