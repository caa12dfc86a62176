/**
 * The leader makes each server's ban-check probes, so a server's node needs
 * no data key: a WireGuard probe peer and a Shadowsocks probe port for a
 * server whose node serves them, sealed for whichever node leads and (the
 * port's password) for the server itself.
 */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { missingProbes } from "../../cluster/probe-custody-task.ts";
import { openProbeKey } from "../../cluster/probe-peer.ts";
import { openShadowsocksProbe } from "../../cluster/shadowsocks-probe-port.ts";
import { command } from "./fsm/support/control-plane-fixture.ts";
import { startInMemoryCluster } from "./support/in-memory-cluster.ts";

const custody = suite("probe custody");

const shadowsocks = {
  firstPort: 21000,
  lastPort: 21009,
  method: "chacha20-ietf-poly1305" as const,
};
const none = { probePeer: null, shadowsocks: null, shadowsocksProbe: null };

custody("a server waits for the probes its node serves and has none of yet", () => {
  assert.equal(missingProbes({ ...none, probes: null }), [], "a node from before makes its own");
  assert.equal(missingProbes({ ...none, probes: [] }), []);
  assert.equal(missingProbes({ ...none, probes: ["wireguard"] }), ["wireguard"]);
  assert.equal(missingProbes({ ...none, probes: ["wireguard", "shadowsocks"], shadowsocks }), [
    "wireguard",
    "shadowsocks",
  ]);
  assert.equal(
    missingProbes({ ...none, probes: ["shadowsocks"] }),
    [],
    "no probe port on a server that offers no Shadowsocks",
  );
  const made = {
    probes: ["wireguard" as const, "shadowsocks" as const],
    shadowsocks,
    probePeer: { publicKey: "k", privateKeyEncrypted: "s", address: "10.0.0.2" },
    shadowsocksProbe: {
      port: 21000,
      method: shadowsocks.method,
      passwordSealed: "s",
      passwordSealedToServer: "t",
    },
  };
  assert.equal(missingProbes(made), []);
});

custody("the leader makes a registered server's probes, which every node can open", async () => {
  const cluster = await startInMemoryCluster(3);
  try {
    const leader = await cluster.leader();
    const follower = [...cluster.members.values()].find((member) => member !== leader)!;
    await cluster.waitFor(() => follower.node.leaderId(), 2000, "the follower to know the leader");
    const registration = command.registerServer(follower.id, {
      protocols: ["wireguard", "shadowsocks"],
      shadowsocks,
      probes: ["wireguard", "shadowsocks"],
    });
    await follower.node.propose(JSON.stringify(registration));
    await cluster.waitFor(
      () => {
        const server = leader.state.server(follower.id);
        return Boolean(server?.probePeer && server.shadowsocksProbe);
      },
      5_000,
      "the leader to make both probes",
    );
    const server = leader.state.server(follower.id)!;
    assert.ok(openProbeKey(leader.assembled.sealing, server).ok);
    assert.ok(openShadowsocksProbe(leader.assembled.sealing, server)?.ok);
  } finally {
    await cluster.stop();
  }
});

custody.run();
