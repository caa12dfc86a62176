import { test } from "uvu";
import * as assert from "uvu/assert";
import { API_ACTOR } from "../../../cluster/fsm/actors.ts";
import { command, Fixture, T0, wgKey } from "./support/control-plane-fixture.ts";

test("a new server gets the lowest free subnet of the pool, and the pool is pinned", () => {
  const fixture = new Fixture();
  const first = fixture.ok(command.registerServer("n1", { capacity: 200 }));
  assert.is(first.created, true);
  assert.is(first.server.subnet, "10.64.0.0/24");
  assert.is(first.server.tunnelAddress, "10.64.0.1");
  assert.is(first.server.status, "active");
  assert.is(fixture.state.getSetting("addressPool"), "10.64.0.0/10");
  const second = fixture.ok(command.registerServer("n2", { capacity: 4000 }));
  assert.is(second.server.subnet, "10.64.16.0/20");
  const third = fixture.ok(command.registerServer("n3", { capacity: 3 }));
  assert.is(third.server.subnet, "10.64.1.0/29");
});

test("re-registration keeps the subnet and updates ports, keys, capacity and region", () => {
  const fixture = new Fixture();
  fixture.ok(command.registerServer("n1", { capacity: 100 }));
  const again = fixture.ok(
    command.registerServer("n1", {
      capacity: 124,
      region: "us",
      listenPort: 51821,
      apiPort: 9443,
      publicKey: wgKey(99, 1),
      at: T0 + 1000,
    }),
  );
  assert.is(again.created, false);
  assert.is(again.server.subnet, "10.64.0.0/25");
  assert.is(again.server.capacity, 124);
  assert.is(again.server.region, "us");
  assert.is(again.server.listenPort, 51821);
  assert.is(again.server.apiPort, 9443);
  assert.is(again.server.publicKey, wgKey(99, 1));
  assert.is(again.server.registeredAt, T0);
});

test("a server's node reports the MTU and resolvers of its client configs; older registrations have none", () => {
  const fixture = new Fixture();
  const old = fixture.ok(command.registerServer("n1"));
  assert.is(old.server.mtu, null);
  assert.is(old.server.clientDns, null);
  const again = fixture.ok(
    command.registerServer("n1", { mtu: 1420, clientDns: ["9.9.9.9", "2620:fe::fe"] }),
  );
  assert.is(again.server.mtu, 1420);
  assert.equal(again.server.clientDns, ["9.9.9.9", "2620:fe::fe"]);
  assert.is(fixture.state.server("n1")!.mtu, 1420);
});

test("a server's node reports whether it holds the bot token and the data keys, and which probes it serves; these survive a snapshot, and older registrations and snapshots say nothing", () => {
  const fixture = new Fixture();
  const before = fixture.ok(command.registerServer("n1")).server;
  assert.equal([before.holdsBotToken, before.holdsDataKeys, before.probes], [null, null, null]);
  const learner = { holdsBotToken: false, holdsDataKeys: false, probes: ["wireguard" as const] };
  const reported = fixture.ok(command.registerServer("n1", learner)).server;
  assert.equal(
    [reported.holdsBotToken, reported.holdsDataKeys, reported.probes],
    [false, false, ["wireguard"]],
  );
  fixture.ok(
    command.registerServer("n2", { holdsBotToken: true, holdsDataKeys: true, probes: [] }),
  );
  const restored = new Fixture();
  restored.state.restore(fixture.state.snapshot());
  const fields = (state: Fixture["state"], id: string) => {
    const server = state.server(id)!;
    return [server.holdsBotToken, server.holdsDataKeys, server.probes];
  };
  assert.equal(fields(restored.state, "n1"), [false, false, ["wireguard"]]);
  assert.equal(fields(restored.state, "n2"), [true, true, []]);
  const older = JSON.parse(fixture.state.snapshot()) as { servers: unknown[][] };
  for (const row of older.servers) row.splice(-3);
  const fromOlder = new Fixture();
  fromOlder.state.restore(JSON.stringify(older));
  assert.equal(fields(fromOlder.state, "n1"), [null, null, null]);
});

test("an MTU out of range or resolvers that are not IP addresses are refused", () => {
  const fixture = new Fixture();
  for (const fields of [
    { mtu: 1279 },
    { mtu: 9000 },
    { clientDns: [] },
    { clientDns: ["dns.example"] },
    { clientDns: ["1.1.1.1\nPostUp = x"] },
    { clientDns: ["1.1.1.1", "1.0.0.1", "8.8.8.8", "8.8.4.4", "9.9.9.9"] },
  ])
    fixture.refused(command.registerServer("n1", fields), "INVALID_COMMAND");
});

test("re-registration with a capacity the subnet cannot hold is refused, not moved", () => {
  const fixture = new Fixture();
  fixture.ok(command.registerServer("n1", { capacity: 100 }));
  const message = fixture.refused(
    command.registerServer("n1", { capacity: 125 }),
    "CAPACITY_EXCEEDS_SUBNET",
  );
  assert.match(message, /10\.64\.0\.0\/25, which holds 124 clients/);
  assert.is(fixture.state.server("n1")!.capacity, 100);
});

test("re-registration without an endpoint keeps the one already known", () => {
  const fixture = new Fixture();
  fixture.ok(command.registerServer("n1", { endpointHost: "203.0.113.7" }));
  const again = fixture.ok(command.registerServer("n1", { endpointHost: null }));
  assert.is(again.server.endpointHost, "203.0.113.7");
});

test("a banned server stays banned when its node registers again", () => {
  const fixture = new Fixture();
  fixture.ok(command.registerServer("n1"));
  fixture.ok({
    type: "setServerStatus",
    serverId: "n1",
    status: "banned",
    reason: "r",
    actor: API_ACTOR,
    at: T0,
  });
  assert.is(fixture.ok(command.registerServer("n1")).server.status, "banned");
});

test("an exhausted pool refuses a new server", () => {
  const fixture = new Fixture();
  fixture.ok({ type: "setSetting", key: "addressPool", value: "192.168.0.0/24", actor: API_ACTOR });
  fixture.ok(command.registerServer("n1", { capacity: 100 }));
  fixture.ok(command.registerServer("n2", { capacity: 100 }));
  fixture.refused(command.registerServer("n3", { capacity: 1 }), "POOL_EXHAUSTED");
  fixture.refused(command.registerServer("n4", { capacity: 4000 }), "POOL_EXHAUSTED");
});

test("the address pool can change only while no server is registered", () => {
  const fixture = new Fixture();
  fixture.ok({ type: "setSetting", key: "addressPool", value: "172.16.0.0/12", actor: API_ACTOR });
  assert.is(fixture.ok(command.registerServer("n1")).server.subnet, "172.16.0.0/28");
  fixture.refused(
    { type: "setSetting", key: "addressPool", value: "10.0.0.0/8", actor: API_ACTOR },
    "POOL_IN_USE",
  );
  fixture.ok({ type: "setSetting", key: "addressPool", value: "172.16.0.0/12", actor: API_ACTOR });
});

test("an endpoint change keeps addresses and notifies each user with a live config there", () => {
  const fixture = new Fixture();
  fixture.ok(command.registerServer("n1", { endpointHost: "198.51.100.1" }));
  for (const user of ["10", "11", "12"]) fixture.ok(command.upsertUser(user));
  const c1 = fixture.ok(command.issueConfig("c1", "10"));
  fixture.ok(command.issueConfig("c2", "11"));
  fixture.ok(command.revokeConfig("c2"));
  fixture.ok(command.issueConfig("c3", "11"));
  fixture.ok(command.registerServer("n2", { endpointHost: "198.51.100.2" }));
  assert.is(fixture.ok(command.issueConfig("c4", "12")).serverId, "n2");

  const index = fixture.nextIndex;
  const changed = fixture.ok({
    type: "setServerEndpoint",
    serverId: "n1",
    endpointHost: "198.51.100.9",
    at: T0 + 5,
  });
  assert.is(changed.notified, 2);
  assert.is(changed.server.endpointHost, "198.51.100.9");
  const pending = fixture.state.pendingOutbox();
  assert.equal(
    pending.map((entry) => [entry.id, entry.chatId, entry.kind, entry.payload.configId]),
    [
      [`o${index}-0`, "10", "endpointChanged", "c1"],
      [`o${index}-1`, "11", "endpointChanged", "c3"],
    ],
  );
  assert.is(fixture.state.config("c1")!.address, c1.address, "addresses are kept");

  const same = fixture.ok({
    type: "setServerEndpoint",
    serverId: "n1",
    endpointHost: "198.51.100.9",
    at: T0 + 6,
  });
  assert.is(same.notified, 0, "no change, no notification");
});

test("a new server key or port on re-registration also tells users to fetch their config again", () => {
  const fixture = new Fixture();
  fixture.ok(command.registerServer("n1"));
  fixture.ok(command.upsertUser("10"));
  fixture.ok(command.issueConfig("c1", "10"));
  assert.is(fixture.ok(command.registerServer("n1")).notified, 0, "nothing changed");
  assert.is(fixture.ok(command.registerServer("n1", { listenPort: 443 })).notified, 1);
  assert.is(
    fixture.ok(command.registerServer("n1", { listenPort: 443, publicKey: wgKey(5, 9) })).notified,
    1,
  );
});

test("setServerEndpoint for an unknown server is refused", () => {
  const fixture = new Fixture();
  fixture.refused(
    { type: "setServerEndpoint", serverId: "n9", endpointHost: "h", at: T0 },
    "UNKNOWN_SERVER",
  );
});

test("the probe peer gets the address reserved for it, never a client's", () => {
  const fixture = new Fixture();
  fixture.ok(command.registerServer("n1", { capacity: 4 }));
  const set = fixture.ok({
    type: "setProbePeer",
    serverId: "n1",
    publicKey: wgKey(1, 7),
    privateKeyEncrypted: "enc-probe",
    at: T0,
  });
  assert.equal(set.server.probePeer, {
    publicKey: wgKey(1, 7),
    privateKeyEncrypted: "enc-probe",
    address: "10.64.0.6",
  });
  fixture.ok(command.upsertUser("10", {}));
  fixture.ok({ type: "setSetting", key: "configsPerUser", value: "10", actor: API_ACTOR });
  const addresses = ["a", "b", "c", "d"].map(
    (id) => fixture.ok(command.issueConfig(id, "10")).address,
  );
  assert.equal(addresses, ["10.64.0.2", "10.64.0.3", "10.64.0.4", "10.64.0.5"]);
  fixture.refused(command.issueConfig("e", "10"), "NO_CAPACITY");
  fixture.sealForServers();
  const peers = fixture.state.desiredPeers("n1");
  assert.equal(peers.at(-1), {
    publicKey: wgKey(1, 7),
    presharedKeySealed: null,
    address: "10.64.0.6",
    kind: "probe",
  });
  assert.is(peers.length, 5);
});

test("a probe peer key already in use is refused; setting the same key again is fine", () => {
  const fixture = new Fixture();
  fixture.ok(command.registerServer("n1"));
  fixture.ok(command.registerServer("n2"));
  fixture.ok(command.upsertUser("10"));
  const config = fixture.ok(command.issueConfig("c1", "10"));
  const probe = { type: "setProbePeer", serverId: "n1", privateKeyEncrypted: "e", at: T0 } as const;
  fixture.refused({ ...probe, publicKey: config.clientPublicKey }, "DUPLICATE_PUBLIC_KEY");
  fixture.ok({ ...probe, publicKey: wgKey(3, 7) });
  fixture.ok({ ...probe, publicKey: wgKey(3, 7) });
  fixture.refused({ ...probe, serverId: "n2", publicKey: wgKey(3, 7) }, "DUPLICATE_PUBLIC_KEY");
  fixture.refused({ ...probe, serverId: "n9", publicKey: wgKey(4, 7) }, "UNKNOWN_SERVER");
});

test("reported load is stored with its time", () => {
  const fixture = new Fixture();
  fixture.ok(command.registerServer("n1"));
  fixture.ok({
    type: "reportServerLoad",
    serverId: "n1",
    activePeers: 3,
    rxBytes: 1e12,
    txBytes: 5,
    at: T0 + 9,
  });
  assert.equal(fixture.state.server("n1")!.load, {
    activePeers: 3,
    rxBytes: 1e12,
    txBytes: 5,
    reportedAt: T0 + 9,
  });
  fixture.refused(
    { type: "reportServerLoad", serverId: "n9", activePeers: 3, rxBytes: 1, txBytes: 5, at: T0 },
    "UNKNOWN_SERVER",
  );
});

test("malformed server commands are refused as INVALID_COMMAND", () => {
  const fixture = new Fixture();
  fixture.refused(command.registerServer("N1!"), "INVALID_COMMAND");
  fixture.refused({ ...command.registerServer("n1"), publicKey: "short" }, "INVALID_COMMAND");
  fixture.refused(command.registerServer("n1", { capacity: 0 }), "INVALID_COMMAND");
  fixture.refused(command.registerServer("n1", { capacity: 70_000 }), "INVALID_COMMAND");
  fixture.refused(command.registerServer("n1", { listenPort: 70_000 }), "INVALID_COMMAND");
  fixture.refused({ ...command.registerServer("n1"), extra: 1 }, "INVALID_COMMAND");
  const amnezia = { jc: 4, jmin: 50, jmax: 10, s1: 1, s2: 2, h1: 5, h2: 6, h3: 7, h4: 8 };
  fixture.refused(command.registerServer("n1", { amnezia }), "INVALID_COMMAND");
  fixture.refused(
    command.registerServer("n1", { amnezia: { ...amnezia, jmax: 60, h4: 5 } }),
    "INVALID_COMMAND",
  );
  fixture.ok(command.registerServer("n1", { amnezia: { ...amnezia, jmax: 60 } }));
});

test.run();
