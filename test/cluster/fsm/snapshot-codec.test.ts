import { test } from "uvu";
import * as assert from "uvu/assert";
import { API_ACTOR } from "../../../cluster/fsm/actors.ts";
import { ControlPlaneState } from "../../../cluster/fsm/control-plane.ts";
import { command, Fixture, T0, wgKey } from "./support/control-plane-fixture.ts";

const PIN = Array(32).fill("AB").join(":");

/** A state with something in every collection. */
function richFixture(): Fixture {
  const fixture = new Fixture();
  fixture.ok({ type: "setSetting", key: "greeting", value: "salam", actor: API_ACTOR });
  fixture.ok(command.upsertUser("1", { role: "admin", updateId: 900 }));
  const amnezia = { jc: 4, jmin: 40, jmax: 70, s1: 10, s2: 20, h1: 11, h2: 12, h3: 13, h4: 14 };
  fixture.ok(command.registerServer("n1", { amnezia, mtu: 1280, clientDns: ["9.9.9.9"] }));
  fixture.ok(command.registerServer("n2", { capacity: 300, endpointHost: null }));
  fixture.ok({
    type: "setProbePeer",
    serverId: "n1",
    publicKey: wgKey(77, 7),
    privateKeyEncrypted: "enc",
    at: T0,
  });
  fixture.ok({
    type: "reportServerLoad",
    serverId: "n1",
    activePeers: 2,
    rxBytes: 10,
    txBytes: 20,
    at: T0,
  });
  fixture.ok(command.verdict("n2", 1, "down"));
  fixture.ok(command.upsertUser("10", { language: "ru", updateId: 901 }));
  fixture.ok(
    command.issueConfig("c1", "10", {
      protocol: "amneziawg",
      idempotencyKey: "req-1",
      updateId: 902,
    }),
  );
  fixture.ok(command.issueConfig("c2", "10"));
  fixture.ok(command.revokeConfig("c2"));
  fixture.ok({ type: "createInvite", code: "WELCOME", uses: 3, actor: API_ACTOR, at: T0 });
  fixture.ok({
    type: "addVantageProbe",
    id: "thr1",
    url: "https://probe.example",
    tokenEncrypted: "enc",
    region: "ir",
    isp: "TCI",
    actor: API_ACTOR,
    at: T0,
  });
  fixture.ok({
    type: "addVantageProbe",
    id: "thr2",
    url: "https://probe2.example",
    tokenEncrypted: "enc2",
    region: "ir",
    isp: "MCI",
    actor: API_ACTOR,
    at: T0,
    probePublicKey: wgKey(5, 9),
    probePrivateKeyEncrypted: "enc-key",
  });
  fixture.ok({
    type: "addVantageProbe",
    id: "thr3",
    url: "https://10.0.0.3:9190",
    tokenEncrypted: "enc3",
    region: "ir",
    isp: "MCI",
    actor: API_ACTOR,
    at: T0,
    certSha256: PIN,
  });
  fixture.ok({
    type: "addVantageProbe",
    id: "thr4",
    url: "http://10.0.0.4:9190",
    tokenEncrypted: "enc4",
    region: "ir",
    isp: "MCI",
    actor: API_ACTOR,
    at: T0,
    insecure: true,
  });
  fixture.ok({ type: "broadcast", text: "hello", actor: API_ACTOR, at: T0 });
  // An approval notice delivered, and the next one waiting its turn (notBefore).
  fixture.ok({ type: "setSetting", key: "accessMode", value: "approval", actor: API_ACTOR });
  fixture.ok(command.upsertUser("20", { at: T0 }));
  const notice = fixture.state.pendingOutbox().find((entry) => entry.kind === "approvalRequest")!;
  fixture.ok({ type: "markOutboxDelivered", id: notice.id, at: T0 + 1 });
  fixture.ok(command.upsertUser("21", { at: T0 + 2 }));
  // Traffic: a period, a quota, and a report that suspends user 1.
  fixture.ok({ type: "startTrafficPeriod", periodStart: T0, at: T0 + 3 });
  fixture.ok(command.issueConfig("t1", "1"));
  fixture.ok({ type: "setUserQuota", userId: "1", quotaGb: 1, actor: API_ACTOR, at: T0 + 3 });
  const t1 = fixture.state.config("t1")!;
  fixture.ok({
    type: "reportTraffic",
    serverId: t1.serverId,
    counters: [{ configId: "t1", peer: t1.clientPublicKey, rxBytes: 4e8, txBytes: 7e8 }],
    at: T0 + 4,
  });
  return fixture;
}

test("restore(snapshot()) reproduces the state exactly, queries included", () => {
  const original = richFixture().state;
  const restored = new ControlPlaneState();
  restored.restore(original.snapshot());
  assert.is(restored.stateHash(), original.stateHash());
  assert.equal(restored.servers(), original.servers());
  assert.equal(restored.configsOfUser("10"), original.configsOfUser("10"));
  assert.equal(restored.pendingOutbox(), original.pendingOutbox());
  assert.equal(restored.desiredPeers("n1"), original.desiredPeers("n1"));
  assert.equal(restored.vantageProbes(), original.vantageProbes());
  assert.equal(restored.counts(), original.counts());
  assert.is(restored.updateOffset(), 902);
  assert.equal(restored.activeAdminIds(), ["1"]);
  assert.equal(restored.allSettings(), original.allSettings());
  assert.equal(restored.trafficUsage("1", T0), original.trafficUsage("1", T0));
  assert.ok(restored.userTraffic("1")?.suspended, "the fixture's user 1 is suspended");
  assert.equal(restored.configTraffic("t1"), original.configTraffic("t1"));
  assert.is(restored.trafficPeriodStart(), T0);
  assert.is(restored.trafficReportedAt("n1"), original.trafficReportedAt("n1"));
});

test("snapshots from before traffic was counted are read with no traffic and no period", () => {
  const original = richFixture().state;
  const snapshot = JSON.parse(original.snapshot()) as { traffic?: unknown };
  delete snapshot.traffic;
  const restored = new ControlPlaneState();
  restored.restore(JSON.stringify(snapshot));
  assert.is(restored.trafficPeriodStart(), null);
  assert.is(restored.userTraffic("1"), undefined);
  assert.is(restored.trafficUsage("1", T0).usedBytes, 0);
  assert.equal(restored.configsOfUser("10"), original.configsOfUser("10"));
});

test("a restored node dedupes updates and idempotency keys like the original", () => {
  const original = richFixture();
  const restored = new ControlPlaneState();
  restored.restore(original.state.snapshot());
  const update = restored.apply(
    JSON.stringify(command.issueConfig("c9", "10", { updateId: 902 })),
    100,
  );
  assert.ok(update.ok && update.duplicate && (update.value as { id: string }).id === "c1");
  const keyed = restored.apply(
    JSON.stringify(command.issueConfig("c9", "10", { idempotencyKey: "req-1" })),
    101,
  );
  assert.ok(keyed.ok && keyed.duplicate && (keyed.value as { id: string }).id === "c1");
});

test("reply messages sent survive a snapshot, and a snapshot from before they were kept has none", () => {
  const original = richFixture();
  original.ok({ type: "markUpdatesAnswered", updates: [[901, 2]], at: T0 });
  const restored = new ControlPlaneState();
  restored.restore(original.state.snapshot());
  assert.is(restored.repliesSent(901), 2);
  assert.is(restored.repliesSent(902), 0);
  assert.is(restored.stateHash(), original.state.stateHash());
  const older = JSON.parse(original.state.snapshot()) as Record<string, unknown>;
  delete older.answeredUpdates;
  const fromOlder = new ControlPlaneState();
  fromOlder.restore(JSON.stringify(older));
  assert.is(fromOlder.repliesSent(901), 0);
  assert.ok(fromOlder.wasUpdateHandled(901));
});

test("restoring replaces the whole state; an empty snapshot is the empty state", () => {
  const state = richFixture().state;
  state.restore("");
  assert.is(state.stateHash(), new ControlPlaneState().stateHash());
  assert.equal(state.servers(), []);
});

test("a version 1 snapshot (settings only) is still read", () => {
  const state = new ControlPlaneState();
  state.restore(
    JSON.stringify({ version: 1, settings: { greeting: "hello", accessMode: "invite" } }),
  );
  assert.equal(state.allSettings(), { accessMode: "invite", greeting: "hello" });
  assert.is(state.setting("accessMode"), "invite");
});

test("vantage probes stored before they had their own keys are read with no key", () => {
  const original = richFixture().state;
  const snapshot = JSON.parse(original.snapshot()) as { vantageProbes: unknown[][] };
  snapshot.vantageProbes = snapshot.vantageProbes.map((row) => row.slice(0, 7));
  const restored = new ControlPlaneState();
  restored.restore(JSON.stringify(snapshot));
  assert.equal(
    restored.vantageProbes().map((probe) => [probe.id, probe.probePublicKey]),
    [
      ["thr1", null],
      ["thr2", null],
      ["thr3", null],
      ["thr4", null],
    ],
  );
});

test("a pinned certificate and the insecure mark survive a snapshot", () => {
  const original = richFixture().state;
  const restored = new ControlPlaneState();
  restored.restore(original.snapshot());
  assert.equal(
    restored.vantageProbes().map((probe) => [probe.id, probe.certSha256, probe.insecure]),
    [
      ["thr1", null, false],
      ["thr2", null, false],
      ["thr3", PIN, false],
      ["thr4", null, true],
    ],
  );
});

test("servers stored before they reported MTU and resolvers are read without them", () => {
  const original = richFixture().state;
  assert.is(original.server("n1")!.mtu, 1280);
  const snapshot = JSON.parse(original.snapshot()) as { servers: unknown[][] };
  snapshot.servers = snapshot.servers.map((row) => row.slice(0, 17));
  const restored = new ControlPlaneState();
  restored.restore(JSON.stringify(snapshot));
  assert.equal(
    restored.servers().map((server) => [server.id, server.mtu, server.clientDns]),
    [
      ["n1", null, null],
      ["n2", null, null],
    ],
  );
});

test("vantage probes stored before pinning (rows of 9 fields) are read unpinned and not insecure", () => {
  const original = richFixture().state;
  const snapshot = JSON.parse(original.snapshot()) as { vantageProbes: unknown[][] };
  snapshot.vantageProbes = snapshot.vantageProbes.map((row) => row.slice(0, 9));
  const restored = new ControlPlaneState();
  restored.restore(JSON.stringify(snapshot));
  assert.equal(
    restored
      .vantageProbes()
      .map((probe) => [probe.id, probe.probePublicKey, probe.certSha256, probe.insecure]),
    [
      ["thr1", null, null, false],
      ["thr2", wgKey(5, 9), null, false],
      ["thr3", null, null, false],
      ["thr4", null, null, false],
    ],
  );
});

test("outbox entries stored before entries could wait are read as due at once", () => {
  const original = richFixture().state;
  const waiting = original.pendingOutbox().filter((entry) => entry.notBefore !== null);
  assert.is(waiting.length, 1, "the fixture has a waiting entry");
  const snapshot = JSON.parse(original.snapshot()) as { outbox: unknown[][] };
  snapshot.outbox = snapshot.outbox.map((row) => row.slice(0, 9));
  const restored = new ControlPlaneState();
  restored.restore(JSON.stringify(snapshot));
  assert.equal(
    restored.pendingOutbox().map((entry) => entry.notBefore),
    original.pendingOutbox().map(() => null),
  );
});

test("an unknown version or a malformed snapshot throws and leaves the state as it was", () => {
  const fixture = richFixture();
  const before = fixture.state.stateHash();
  assert.throws(
    () => fixture.state.restore(JSON.stringify({ v: 99 })),
    /version 99 is not supported/,
  );
  const snapshot = JSON.parse(fixture.state.snapshot());
  // Without its last three fields (the optional Shadowsocks access and subscription key, and replacedBy).
  snapshot.configs[0].splice(-3);
  assert.throws(
    () => fixture.state.restore(JSON.stringify(snapshot)),
    /snapshot is malformed: .*configs\[0\]/s,
  );
  assert.is(fixture.state.stateHash(), before);
});

test("every field of a snapshot is checked, not cast: wrong kinds of values are refused", () => {
  const fixture = richFixture();
  const before = fixture.state.stateHash();
  const corruptions: Array<[string, (snapshot: Record<string, unknown[][]>) => void]> = [
    [
      "a user's language",
      (snapshot) => {
        snapshot.users![0]![2] = "klingon";
      },
    ],
    [
      "a config's expiry flag",
      (snapshot) => {
        snapshot.configs![0]![12] = "yes";
      },
    ],
    [
      "a server's port",
      (snapshot) => {
        snapshot.servers![0]![2] = -1;
      },
    ],
    [
      "a server's status",
      (snapshot) => {
        snapshot.servers![0]![9] = "seized";
      },
    ],
    [
      "an invite's uses",
      (snapshot) => {
        snapshot.invites![0]![1] = 1.5;
      },
    ],
    [
      "the settings",
      (snapshot) => {
        snapshot.settings = [[1, 2]] as unknown as unknown[][];
      },
    ],
  ];
  for (const [what, corrupt] of corruptions) {
    const snapshot = JSON.parse(fixture.state.snapshot());
    corrupt(snapshot);
    assert.throws(
      () => fixture.state.restore(JSON.stringify(snapshot)),
      /snapshot is malformed/,
      what,
    );
    assert.is(fixture.state.stateHash(), before, what);
  }
});

test("a snapshot where two live configs share an address is rejected", () => {
  const fixture = richFixture();
  fixture.ok(command.issueConfig("c3", "10", { protocol: "amneziawg" }));
  const snapshot = JSON.parse(fixture.state.snapshot());
  const rows = snapshot.configs as unknown[][];
  const c3 = rows.find((row) => row[0] === "c3")!;
  c3[11] = rows.find((row) => row[0] === "c1")![11];
  assert.throws(() => new ControlPlaneState().restore(JSON.stringify(snapshot)), /repeated/);
});

test("100 000 users and 200 000 configs: snapshot and restore in seconds", () => {
  const state = new ControlPlaneState();
  let index = 0;
  const apply = (item: object) => {
    const result = state.apply(JSON.stringify(item), ++index);
    if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  };
  const buildStartedAt = performance.now();
  for (let server = 0; server < 50; server++) {
    apply(
      command.registerServer(`n${server}`, { capacity: 4000, region: server % 2 ? "eu" : "us" }),
    );
  }
  // A preshared key sealed to its server, as every live config holds once delivered.
  const sealedToServer = "A".repeat(120);
  for (let user = 0; user < 100_000; user++) {
    const userId = String(1_000_000 + user);
    apply(command.upsertUser(userId, { name: `user ${user}`, language: "fa" }));
    for (let n = 0; n < 2; n++) {
      apply({
        ...command.issueConfig(`c${user}-${n}`, userId),
        clientPublicKey: wgKey(user * 2 + n + 1, 4),
      });
    }
  }
  // Then, as in a running fleet, each preshared key is sealed to its server and the delivery copy erased.
  const configs = state.configsWithoutServerCopy();
  for (let start = 0; start < configs.length; start += 1000) {
    const batch = configs.slice(start, start + 1000);
    apply({
      type: "sealServerPresharedKeys",
      items: batch.map((config) => ({
        configId: config.id,
        clientPublicKey: config.clientPublicKey,
        serverPublicKey: state.server(config.serverId)!.publicKey,
        sealed: sealedToServer,
      })),
      at: T0,
    });
    apply({
      type: "eraseConfigKeys",
      configIds: batch.map((config) => config.id),
      reason: "delivered",
      at: T0,
    });
  }
  assert.is(state.configsWithDeliveryKeys().length, 0);
  const buildMs = performance.now() - buildStartedAt;
  assert.equal(state.counts(), {
    servers: 50,
    bannedServers: 0,
    users: 100_000,
    liveConfigs: 200_000,
    pendingOutbox: 0,
  });

  const snapshotStartedAt = performance.now();
  const snapshot = state.snapshot();
  const snapshotMs = performance.now() - snapshotStartedAt;
  const restored = new ControlPlaneState();
  const restoreStartedAt = performance.now();
  restored.restore(snapshot);
  const restoreMs = performance.now() - restoreStartedAt;

  console.log(
    `  size test: applied ${index} commands in ${Math.round(buildMs)} ms; ` +
      `snapshot ${(snapshot.length / 1_000_000).toFixed(1)} MB in ${Math.round(snapshotMs)} ms; ` +
      `restore in ${Math.round(restoreMs)} ms; rss ${Math.round(process.memoryUsage().rss / 1_000_000)} MB`,
  );
  assert.ok(snapshotMs < 20_000, "snapshot within 20 s");
  assert.ok(restoreMs < 20_000, "restore within 20 s");
  assert.is(restored.snapshot(), snapshot, "the restored state is identical");
  assert.equal(restored.counts(), state.counts());
  // The restored allocators and indexes work: the next config lands where the original's would.
  const next = command.issueConfig("next", "1000000", { clientPublicKey: wgKey(999_999_999, 4) });
  assert.equal(
    restored.apply(JSON.stringify(next), index + 1),
    state.apply(JSON.stringify(next), index + 1),
  );
});

test.run();
