import { test } from "uvu";
import * as assert from "uvu/assert";
import { API_ACTOR } from "../../../cluster/fsm/actors.ts";
import { ControlPlaneState } from "../../../cluster/fsm/control-plane.ts";
import { command, Fixture, T0 } from "./support/control-plane-fixture.ts";

const shadowsocks = {
  firstPort: 20000,
  lastPort: 20002,
  method: "chacha20-ietf-poly1305",
} as const;
const offersShadowsocks = { protocols: ["wireguard", "shadowsocks"] as const, shadowsocks };

function shadowsocksServer(): Fixture {
  const fixture = new Fixture();
  fixture.ok(
    command.registerServer("n1", {
      ...offersShadowsocks,
      protocols: [...offersShadowsocks.protocols],
    }),
  );
  fixture.ok(command.upsertUser("10"));
  fixture.ok({ type: "setSetting", key: "configsPerUser", value: "10", actor: API_ACTOR });
  return fixture;
}

const issueShadowsocks = (configId: string) =>
  command.issueConfig(configId, "10", { protocol: "shadowsocks" });

test("a server offers what its node registered, and Shadowsocks with its port range", () => {
  const fixture = shadowsocksServer();
  fixture.ok(command.registerServer("n2"));
  assert.equal(fixture.state.server("n1")!.protocols, ["wireguard", "shadowsocks"]);
  assert.equal(fixture.state.server("n1")!.shadowsocks, shadowsocks);
  assert.equal(fixture.state.server("n2")!.protocols, ["wireguard"], "WireGuard when unsaid");
  assert.is(fixture.state.server("n2")!.shadowsocks, null);
});

test("Shadowsocks configs get the lowest free port of their server's range, and give it back", () => {
  const fixture = shadowsocksServer();
  const first = fixture.ok(issueShadowsocks("c1"));
  assert.equal(first.shadowsocks, {
    port: 20000,
    method: "chacha20-ietf-poly1305",
    passwordSealed: null,
  });
  assert.is(first.serverPresharedKeySealed, null);
  assert.is(fixture.ok(issueShadowsocks("c2")).shadowsocks.port, 20001);
  fixture.ok(command.revokeConfig("c1"));
  assert.is(fixture.ok(issueShadowsocks("c3")).shadowsocks.port, 20000);
  assert.is(fixture.ok(issueShadowsocks("c4")).shadowsocks.port, 20002);
  fixture.refused(issueShadowsocks("c5"), "NO_CAPACITY");
  assert.is(fixture.ok(command.issueConfig("w1", "10")).shadowsocks, null, "WireGuard still fits");
});

test("the protocol of a user's last config is remembered on the user", () => {
  const fixture = shadowsocksServer();
  assert.is(fixture.state.user("10")!.preferredProtocol, null);
  fixture.ok(issueShadowsocks("c1"));
  assert.is(fixture.state.user("10")!.preferredProtocol, "shadowsocks");
  fixture.ok(command.issueConfig("c2", "10"));
  assert.is(fixture.state.user("10")!.preferredProtocol, "wireguard");
});

test("a protocol no active server offers is refused with PROTOCOL_NOT_OFFERED", () => {
  const fixture = new Fixture();
  fixture.ok(command.registerServer("n1"));
  fixture.ok(command.upsertUser("10"));
  fixture.refused(issueShadowsocks("c1"), "PROTOCOL_NOT_OFFERED");
});

test("the password is sealed to the server as its Shadowsocks copy, and the server serves the port then", () => {
  const fixture = shadowsocksServer();
  fixture.ok(issueShadowsocks("c1"));
  assert.equal(fixture.state.desiredShadowsocksPorts("n1"), [], "nothing to serve until sealed");
  fixture.sealForServers();
  const config = fixture.state.config("c1")!;
  assert.is(config.shadowsocks!.passwordSealed, "to-server-c1");
  assert.is(config.serverPresharedKeySealed, null);
  assert.equal(fixture.state.desiredPeers("n1"), [], "a Shadowsocks config is no WireGuard peer");
  assert.equal(fixture.state.desiredShadowsocksPorts("n1"), [
    {
      configId: "c1",
      port: 20000,
      method: "chacha20-ietf-poly1305",
      passwordSealed: "to-server-c1",
      sealedFor: config.clientPublicKey,
    },
  ]);
  fixture.ok(command.revokeConfig("c1"));
  assert.is(fixture.state.config("c1")!.shadowsocks!.passwordSealed, null, "revoked: copy dropped");
  assert.equal(fixture.state.desiredShadowsocksPorts("n1"), []);
});

test("re-keying keeps the port and drops the server's copy until sealed again", () => {
  const fixture = shadowsocksServer();
  fixture.ok(issueShadowsocks("c1"));
  fixture.sealForServers();
  const rekeyed = fixture.ok({
    type: "rekeyConfig",
    configId: "c1",
    clientPublicKey: command.issueConfig("x", "10").clientPublicKey,
    deliveryKeysSealed: "sealed-c1-again",
    at: T0 + 1,
  });
  assert.equal(rekeyed.shadowsocks, {
    port: 20000,
    method: "chacha20-ietf-poly1305",
    passwordSealed: null,
  });
  assert.equal(
    fixture.state.configsWithoutServerCopy().map((config) => config.id),
    ["c1"],
  );
});

test("registration refuses Shadowsocks settings that do not fit, and changes nothing", () => {
  const fixture = shadowsocksServer();
  fixture.refused(command.registerServer("n2", { shadowsocks }), "SHADOWSOCKS_PORTS_INVALID");
  fixture.refused(
    command.registerServer("n2", { protocols: ["shadowsocks"] }),
    "SHADOWSOCKS_PORTS_INVALID",
  );
  fixture.refused(
    command.registerServer("n2", {
      protocols: ["shadowsocks"],
      shadowsocks: { ...shadowsocks, lastPort: 60000 },
    }),
    "SHADOWSOCKS_PORTS_INVALID",
  );
  fixture.ok(issueShadowsocks("c1"));
  fixture.ok(issueShadowsocks("c2"));
  fixture.refused(
    command.registerServer("n1", {
      protocols: ["wireguard", "shadowsocks"],
      shadowsocks: { ...shadowsocks, firstPort: 20001 },
    }),
    "SHADOWSOCKS_PORTS_INVALID",
  );
  fixture.refused(command.registerServer("n1"), "SHADOWSOCKS_PORTS_INVALID");
});

test("a wider range or a new cipher keeps live configs' ports and ciphers", () => {
  const fixture = shadowsocksServer();
  fixture.ok(issueShadowsocks("c1"));
  fixture.ok(
    command.registerServer("n1", {
      protocols: ["wireguard", "shadowsocks"],
      shadowsocks: { firstPort: 20000, lastPort: 20010, method: "aes-256-gcm" },
    }),
  );
  assert.equal(fixture.state.config("c1")!.shadowsocks!.method, "chacha20-ietf-poly1305");
  const next = fixture.ok(issueShadowsocks("c2"));
  assert.equal([next.shadowsocks.port, next.shadowsocks.method], [20001, "aes-256-gcm"]);
});

test("a banned server's Shadowsocks users move to another Shadowsocks server with a port there", () => {
  const fixture = shadowsocksServer();
  fixture.ok(
    command.registerServer("n2", {
      protocols: ["wireguard", "shadowsocks"],
      shadowsocks: { firstPort: 30000, lastPort: 30009, method: "aes-128-gcm" },
    }),
  );
  fixture.ok(issueShadowsocks("c1"));
  const placedOn = fixture.state.config("c1")!.serverId;
  const result = fixture.ok({
    type: "setServerStatus",
    serverId: placedOn,
    status: "banned",
    reason: "blocked",
    actor: API_ACTOR,
    at: T0 + 5,
    replacementKeys: command.replacementKeys(["c1"]),
  });
  assert.is(result.rehome.rehomed.length, 1);
  const moved = fixture.state.config("c1-r")!;
  assert.is.not(moved.serverId, placedOn);
  assert.is(moved.protocol, "shadowsocks");
  assert.ok(moved.shadowsocks && moved.shadowsocks.passwordSealed === null);
  const range = fixture.state.server(moved.serverId)!.shadowsocks!;
  assert.is(moved.shadowsocks.port, range.firstPort);
  assert.is(moved.shadowsocks.method, range.method);
});

test("ports and their allocation survive a snapshot; a snapshot from before Shadowsocks still loads", () => {
  const fixture = shadowsocksServer();
  fixture.ok(issueShadowsocks("c1"));
  fixture.ok(issueShadowsocks("c2"));
  fixture.sealForServers();
  fixture.ok(command.revokeConfig("c1"));
  const restored = new ControlPlaneState();
  restored.restore(fixture.state.snapshot());
  assert.is(restored.stateHash(), fixture.state.stateHash());
  assert.equal(restored.desiredShadowsocksPorts("n1"), fixture.state.desiredShadowsocksPorts("n1"));
  const next = restored.apply(JSON.stringify(issueShadowsocks("c3")), 100);
  assert.ok(next.ok);
  assert.is((next.value as { shadowsocks: { port: number } }).shadowsocks.port, 20000);

  const old = new Fixture();
  old.ok(command.registerServer("n1"));
  old.ok(command.upsertUser("10"));
  old.ok(command.issueConfig("w1", "10"));
  const snapshot = JSON.parse(old.state.snapshot());
  snapshot.servers = snapshot.servers.map((row: unknown[]) => row.slice(0, 19));
  snapshot.users = snapshot.users.map((row: unknown[]) => row.slice(0, 7));
  snapshot.configs = snapshot.configs.map((row: unknown[]) => row.slice(0, 18));
  const fromOld = new ControlPlaneState();
  fromOld.restore(JSON.stringify(snapshot));
  assert.equal(fromOld.server("n1")!.protocols, ["wireguard"]);
  assert.is(fromOld.server("n1")!.shadowsocks, null);
  assert.is(fromOld.user("10")!.preferredProtocol, null);
  assert.is(fromOld.config("w1")!.shadowsocks, null);
});

test.run();
