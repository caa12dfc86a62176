import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  RESTORED_SERVER_REASON,
  restoredDataOf,
  restoredPartsHash,
} from "../../../cluster/fsm/backup-content.ts";
import { ControlPlaneState } from "../../../cluster/fsm/control-plane.ts";
import { awaitsReregistration } from "../../../cluster/fsm/records.ts";
import { decodeSnapshot, encodeSnapshot } from "../../../cluster/fsm/snapshot-codec.ts";
import { joinTokenVerifier, newJoinTokenSecret } from "../../../cluster/membership/join-token.ts";
import {
  backupKeyCheck,
  command,
  DAY_MS,
  Fixture,
  T0,
  wgKey,
} from "./support/control-plane-fixture.ts";

const RESTORED_AT = T0 + 30 * DAY_MS;
const KEY_CHECK = backupKeyCheck(9400);

/** Two servers, users with live, revoked and re-homed configs, an invite, a probe, settings, a passphrase. */
function populated(): Fixture {
  const fixture = new Fixture();
  fixture.ok(command.registerServer("n1"));
  fixture.ok(command.registerServer("n2"));
  fixture.ok(command.registerServer("n3"));
  fixture.ok(
    command.registerServer("n4", {
      protocols: ["shadowsocks"],
      shadowsocks: { firstPort: 20000, lastPort: 20009, method: "chacha20-ietf-poly1305" },
    }),
  );
  fixture.ok({ type: "setSetting", key: "motd", value: "hello", actor: { kind: "api" } });
  fixture.ok(command.upsertUser("101"));
  fixture.ok(command.upsertUser("102", { role: "admin" }));
  fixture.ok(command.issueConfig("c1", "101"));
  fixture.ok(command.issueConfig("c2", "101"));
  fixture.ok(command.issueConfig("c3", "102"));
  fixture.ok(command.issueConfig("c4", "102", { protocol: "shadowsocks" }));
  fixture.sealForServers();
  fixture.ok(command.revokeConfig("c2"));
  fixture.ok(command.createInvite("invite-1", { uses: 5 }));
  fixture.ok(
    command.addVantageProbe("thr1", {
      probePrivateKeyEncrypted: "enc-probe-key",
      probePublicKey: wgKey(9401, 1),
    }),
  );
  fixture.ok({
    type: "setProbePeer",
    serverId: "n1",
    publicKey: wgKey(9402, 1),
    privateKeyEncrypted: "enc-server-probe-key",
    at: T0,
  });
  fixture.ok({
    type: "setServerStatus",
    serverId: "n3",
    status: "banned",
    reason: "blocked",
    actor: { kind: "api" },
    at: T0,
    replacementKeys: command.replacementKeys(fixture.state.replacementKeysNeeded("n3")),
  });
  fixture.ok({ type: "setBackupPassphrase", ...KEY_CHECK, actor: { kind: "api" }, at: T0 });
  return fixture;
}

test("a backup holds users, configs, servers, settings, invites and the passphrase check, and no key or sealed value", () => {
  const { state } = populated();
  const { content, counts } = state.backupContent();
  for (const secret of [
    "sealed-c",
    "to-server-",
    "enc-token-",
    "enc-probe-key",
    "enc-server-probe-key",
  ])
    assert.not.match(content, secret, `${secret} is left out`);
  const restored = decodeSnapshot(content);
  assert.equal([...restored.users.keys()], ["101", "102"]);
  assert.equal([...restored.servers.keys()], ["n1", "n2", "n3", "n4"]);
  assert.ok(restored.configs.has("c1") && restored.configs.has("c2"));
  assert.equal(
    restored.configs.get("c4")!.shadowsocks,
    { port: 20000, method: "chacha20-ietf-poly1305", passwordSealed: null },
    "a Shadowsocks config keeps its port, not its password",
  );
  assert.is(restored.settings.get("motd"), "hello");
  assert.ok(restored.invites.has("invite-1"));
  assert.is(restored.vantageProbes.size, 0, "vantage probes go: their tokens are sealed");
  assert.is(restored.nodeKeys.size + restored.joinTokens.size + restored.outbox.entries.size, 0);
  assert.is(restored.backupPassphrase?.publicKey, KEY_CHECK.publicKey);
  assert.is(restored.servers.get("n1")!.probePeer, null);
  assert.equal(counts, {
    users: 2,
    configs: restored.configs.size,
    liveConfigs: restored.liveConfigCount(),
    servers: 4,
    invites: 1,
    settings: restored.settings.size,
  });
});

test("taking a backup changes nothing in the state", () => {
  const { state } = populated();
  const before = state.stateHash();
  state.backupContent();
  assert.is(state.stateHash(), before);
});

test("the restored state: servers wait to register again (banned stay banned), live configs have no keys, addresses stay", () => {
  const { state } = populated();
  const restored = restoredDataOf(state.backupContent().content, RESTORED_AT);
  const n1 = restored.servers.get("n1")!;
  assert.is(n1.status, "down");
  assert.is(n1.statusReason, RESTORED_SERVER_REASON);
  assert.is(n1.endpointHost, null);
  assert.ok(awaitsReregistration(n1));
  assert.is(restored.servers.get("n3")!.status, "banned");
  assert.not.ok(awaitsReregistration(restored.servers.get("n3")!));
  for (const config of restored.configs.values()) {
    assert.is(config.deliveryKeysSealed, null);
    assert.is(config.serverPresharedKeySealed, null);
    assert.is(config.address, state.config(config.id)!.address);
    if (config.revokedAt === null) {
      assert.is(config.keysErasedReason, "restored");
      assert.is(config.keysErasedAt, RESTORED_AT);
    }
  }
  assert.is(restored.configIdsWithDeliveryKeys().length, 0);
});

test("the restored parts' hash: equal for a state and its restore, a pure function of those parts", () => {
  const { state } = populated();
  const restoredState = new ControlPlaneState();
  restoredState.restore(encodeSnapshot(restoredDataOf(state.backupContent().content, RESTORED_AT)));
  assert.is(restoredState.restoredPartsHash(), state.restoredPartsHash());
  assert.is(
    restoredState.restoredPartsHash(),
    restoredPartsHash(decodeSnapshot(state.backupContent().content)),
  );
  assert.is(
    state.restoredPartsHash(),
    populated().state.restoredPartsHash(),
    "same commands, same hash",
  );
  assert.match(state.restoredPartsHash(), /^[0-9a-f]{64}$/);
});

test("the hash moves with every restored part, and not with what a restore resets", () => {
  const base = populated().state.restoredPartsHash();
  const changes: Array<[string, (fixture: Fixture) => void]> = [
    [
      "a setting",
      (f) => f.ok({ type: "setSetting", key: "motd", value: "bye", actor: { kind: "api" } }),
    ],
    ["a user", (f) => f.ok(command.upsertUser("103"))],
    [
      "a user's role",
      (f) =>
        f.ok({ type: "setUserRole", userId: "101", role: "admin", actor: { kind: "api" }, at: T0 }),
    ],
    ["a config", (f) => f.ok(command.issueConfig("c9", "102"))],
    ["a revocation", (f) => f.ok(command.revokeConfig("c1"))],
    ["an invite", (f) => f.ok(command.createInvite("invite-2"))],
    ["a server", (f) => f.ok(command.registerServer("n5"))],
    [
      "the passphrase",
      (f) =>
        f.ok({
          type: "setBackupPassphrase",
          ...KEY_CHECK,
          publicKey: wgKey(9403, 1),
          actor: { kind: "api" },
          at: T0,
        }),
    ],
  ];
  for (const [what, change] of changes) {
    const fixture = populated();
    change(fixture);
    assert.is.not(fixture.state.restoredPartsHash(), base, what);
  }
  const unchanged: Array<[string, (fixture: Fixture) => void]> = [
    [
      "a load report",
      (f) =>
        f.ok({
          type: "reportServerLoad",
          serverId: "n1",
          activePeers: 3,
          rxBytes: 10,
          txBytes: 20,
          at: T0,
        }),
    ],
    [
      "a drain",
      (f) =>
        f.ok({
          type: "setServerStatus",
          serverId: "n2",
          status: "draining",
          reason: "",
          actor: { kind: "api" },
          at: T0,
        }),
    ],
    [
      "a download again (new keys)",
      (f) =>
        f.ok({
          type: "rekeyConfig",
          configId: "c1",
          clientPublicKey: wgKey(9404, 2),
          deliveryKeysSealed: "sealed-again",
          at: T0,
        }),
    ],
    ["a claimed backup slot", (f) => f.ok({ type: "claimBackupSlot", slot: T0, at: T0 })],
  ];
  for (const [what, change] of unchanged) {
    const fixture = populated();
    change(fixture);
    assert.is(fixture.state.restoredPartsHash(), base, what);
  }
});

test("content that is not a state is refused by the restore, whole", () => {
  assert.throws(() => restoredDataOf("{not json", RESTORED_AT));
  assert.throws(() => restoredDataOf(JSON.stringify({ v: 2, users: "everyone" }), RESTORED_AT));
  assert.throws(() => restoredDataOf(JSON.stringify({ v: 9 }), RESTORED_AT));
});

test("a restored server's id may be given to a new node with a join token; its registration puts it back in service", () => {
  const { state } = populated();
  const fixture = new Fixture();
  fixture.state.restore(encodeSnapshot(restoredDataOf(state.backupContent().content, RESTORED_AT)));
  const token = (nodeId: string) => ({
    type: "createJoinToken",
    nodeId,
    verifier: joinTokenVerifier(nodeId, newJoinTokenSecret()),
    expiresAt: RESTORED_AT + DAY_MS,
    actor: { kind: "api" },
    at: RESTORED_AT,
  });
  fixture.ok(token("n1") as never);
  fixture.refused(token("n3"), "NODE_ID_TAKEN");
  fixture.ok(command.registerServer("n2", { publicKey: wgKey(9405, 1), at: RESTORED_AT }));
  const n2 = fixture.state.server("n2")!;
  assert.is(n2.status, "active");
  assert.is(n2.statusActor, "n2");
  assert.is(n2.endpointHost, "n2.example.net");
  fixture.refused(token("n2"), "NODE_ID_TAKEN");
  assert.is(fixture.state.server("n3")!.status, "banned", "a banned server stays banned");
});

test.run();
