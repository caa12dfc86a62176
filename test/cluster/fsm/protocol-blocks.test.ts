/**
 * A protocol blocked on one server while the other passes (recordVerdict
 * with protocol verdicts): closed there after BAN_AFTER consecutive filtered
 * rounds, its configs moved to the same protocol where it is open, or to the
 * protocol that works when it is open nowhere; reopened after as many ok
 * rounds; never closed by a flapping run.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { API_ACTOR } from "../../../cluster/fsm/actors.ts";
import { ControlPlaneState } from "../../../cluster/fsm/control-plane.ts";
import type { OfferedProtocol, ProtocolVerdict } from "../../../cluster/fsm/records.ts";
import { command, Fixture, T0 } from "./support/control-plane-fixture.ts";

const BAN_AFTER = 2;
const bothProtocols = (firstPort: number) => ({
  protocols: ["wireguard" as const, "shadowsocks" as const],
  shadowsocks: { firstPort, lastPort: firstPort + 9, method: "chacha20-ietf-poly1305" as const },
});

/** n1 and n2 offer both protocols; user 10 has WireGuard configs w1, w2 and a Shadowsocks s1 on n1; 1 is an admin. */
function fleet(options: { n2?: "both" | "shadowsocksOnly" | "none" } = {}): Fixture {
  const fixture = new Fixture();
  fixture.ok(command.registerServer("n1", bothProtocols(20000)));
  fixture.ok(command.upsertUser("1", { role: "admin" }));
  fixture.ok(command.upsertUser("10"));
  fixture.ok({ type: "setSetting", key: "configsPerUser", value: "10", actor: API_ACTOR });
  fixture.ok(command.issueConfig("w1", "10"));
  fixture.ok(command.issueConfig("w2", "10"));
  fixture.ok(command.issueConfig("s1", "10", { protocol: "shadowsocks" }));
  const n2 = options.n2 ?? "both";
  if (n2 === "both") fixture.ok(command.registerServer("n2", bothProtocols(21000)));
  if (n2 === "shadowsocksOnly")
    fixture.ok(
      command.registerServer("n2", { ...bothProtocols(21000), protocols: ["shadowsocks"] }),
    );
  return fixture;
}

function round(
  fixture: Fixture,
  number: number,
  verdicts: Partial<Record<OfferedProtocol, ProtocolVerdict>>,
  isps: string[] = ["mci"],
) {
  const live = fixture.state.liveConfigsOfServer("n1");
  return fixture.ok(
    command.verdict("n1", number, "ok", {
      banAfter: BAN_AFTER,
      protocolVerdicts: Object.entries(verdicts).map(([protocol, verdict]) => ({
        protocol: protocol as OfferedProtocol,
        verdict: verdict!,
        filteredIsps: verdict === "filtered" ? isps : [],
      })),
      replacementKeys: command.replacementKeys(live.map((config) => config.id)),
    }),
  );
}

const WIREGUARD_DROPPED = { wireguard: "filtered", shadowsocks: "ok" } as const;
const BOTH_OK = { wireguard: "ok", shadowsocks: "ok" } as const;

test("WireGuard filtered BAN_AFTER rounds in a row is closed on n1, and its configs move to WireGuard on n2", () => {
  const fixture = fleet();
  const first = round(fixture, 1, WIREGUARD_DROPPED);
  assert.equal(first.protocolChanges, []);
  assert.equal(fixture.state.server("n1")!.blockedProtocols, []);
  const second = round(fixture, 2, WIREGUARD_DROPPED);
  assert.is(second.transition, "none", "the server itself is not banned");
  assert.is(fixture.state.server("n1")!.status, "active");
  assert.equal(fixture.state.server("n1")!.blockedProtocols, [
    { protocol: "wireguard", isps: ["mci"], since: T0 + 2 * 5 * 60_000, evidence: "ok in round 2" },
  ]);
  const [change] = second.protocolChanges;
  assert.is(change.change, "closed");
  assert.equal(
    change.moved.map((move: { from: string; serverId: string }) => [move.from, move.serverId]),
    [
      ["w1", "n2"],
      ["w2", "n2"],
    ],
  );
  assert.equal(change.switched, []);
  for (const id of ["w1", "w2"]) {
    const old = fixture.state.config(id)!;
    assert.is(old.revokeReason, "protocol_blocked");
    const moved = fixture.state.config(old.replacedBy!)!;
    assert.is(moved.protocol, "wireguard");
    assert.is(moved.serverId, "n2");
  }
  assert.is(fixture.state.config("s1")!.revokedAt, null, "Shadowsocks on n1 stays");
  const notices = fixture.state.pendingOutbox();
  assert.is(
    notices.filter((entry) => entry.kind === "serverChanged" && entry.chatId === "10").length,
    2,
  );
  const alert = notices.find((entry) => entry.payload.event === "protocolBlocked");
  assert.ok(alert, "admins are told");
  assert.equal(
    [alert.chatId, alert.payload.protocol, alert.payload.isps, alert.payload.moved],
    ["1", "wireguard", "mci", 2],
  );
});

test("a closed protocol takes no new configs on its server; the other protocol still does", () => {
  const fixture = fleet({ n2: "none" });
  round(fixture, 1, WIREGUARD_DROPPED);
  round(fixture, 2, WIREGUARD_DROPPED);
  fixture.refused(command.issueConfig("w9", "10"), "PROTOCOL_NOT_OFFERED");
  assert.is(
    fixture.ok(command.issueConfig("s9", "10", { protocol: "shadowsocks" })).serverId,
    "n1",
  );
});

test("with WireGuard open nowhere else, its users are offered Shadowsocks, with the new key", () => {
  const fixture = fleet({ n2: "shadowsocksOnly" });
  round(fixture, 1, WIREGUARD_DROPPED);
  const second = round(fixture, 2, WIREGUARD_DROPPED);
  const [change] = second.protocolChanges;
  assert.equal(change.moved, []);
  assert.equal(
    change.switched.map((s: { from: string; protocol: string }) => [s.from, s.protocol]),
    [
      ["w1", "shadowsocks"],
      ["w2", "shadowsocks"],
    ],
  );
  const replacement = fixture.state.config(fixture.state.config("w1")!.replacedBy!)!;
  assert.is(replacement.protocol, "shadowsocks");
  assert.ok(replacement.shadowsocks, "a Shadowsocks port and cipher");
  assert.is(replacement.deliveryKeysSealed, "sealed-w1-r", "the user gets the new key");
  const notice = fixture.state
    .pendingOutbox()
    .find((entry) => entry.kind === "serverChanged" && entry.payload.previousConfigId === "w1");
  assert.equal(
    [notice?.payload.protocol, notice?.payload.previousProtocol],
    ["shadowsocks", "wireguard"],
  );
});

test("a flapping run (filtered, ok, filtered, ...) never closes a protocol", () => {
  const fixture = fleet();
  for (let number = 1; number <= 8; number++)
    round(fixture, number, number % 2 === 1 ? WIREGUARD_DROPPED : BOTH_OK);
  assert.equal(fixture.state.server("n1")!.blockedProtocols, []);
  assert.is(fixture.state.config("w1")!.revokedAt, null);
});

test("inconclusive rounds neither count nor break a run", () => {
  const fixture = fleet();
  round(fixture, 1, WIREGUARD_DROPPED);
  round(fixture, 2, { wireguard: "inconclusive", shadowsocks: "inconclusive" });
  round(fixture, 3, WIREGUARD_DROPPED);
  assert.is(fixture.state.server("n1")!.blockedProtocols.length, 1);
});

test("a closed protocol reopens after BAN_AFTER ok rounds in a row; moved users stay where they are", () => {
  const fixture = fleet();
  round(fixture, 1, WIREGUARD_DROPPED);
  round(fixture, 2, WIREGUARD_DROPPED);
  round(fixture, 3, BOTH_OK);
  assert.is(fixture.state.server("n1")!.blockedProtocols.length, 1, "one ok round is not enough");
  const reopened = round(fixture, 4, BOTH_OK);
  assert.is(reopened.protocolChanges[0].change, "reopened");
  assert.equal(fixture.state.server("n1")!.blockedProtocols, []);
  assert.is(fixture.state.config(fixture.state.config("w1")!.replacedBy!)!.serverId, "n2");
  assert.ok(
    fixture.state.pendingOutbox().some((entry) => entry.payload.event === "protocolReopened"),
  );
});

test("the last open protocol is never closed this way: both failing is the server filtered", () => {
  const fixture = fleet();
  round(fixture, 1, WIREGUARD_DROPPED);
  round(fixture, 2, WIREGUARD_DROPPED);
  for (let number = 3; number <= 5; number++)
    round(fixture, number, { wireguard: "filtered", shadowsocks: "filtered" });
  assert.equal(
    fixture.state.server("n1")!.blockedProtocols.map((blocked) => blocked.protocol),
    ["wireguard"],
  );
});

test("a protocol verdict for a banned server changes nothing", () => {
  const fixture = fleet();
  fixture.ok({
    type: "setServerStatus",
    serverId: "n1",
    status: "banned",
    reason: "by hand",
    actor: API_ACTOR,
    at: T0,
    replacementKeys: command.replacementKeys(["w1", "w2", "s1"]),
  });
  const result = round(fixture, 1, WIREGUARD_DROPPED);
  assert.equal(result.protocolChanges, []);
  assert.equal(fixture.state.server("n1")!.checks.protocols, []);
});

test("the Shadowsocks probe port is a port of the range no config gets; runs, blocks and the probe survive a snapshot", () => {
  const fixture = fleet();
  fixture.ok({
    type: "setShadowsocksProbe",
    serverId: "n2",
    passwordSealed: "sealed-under-data-keys",
    passwordSealedToServer: "x1.sealed-to-n2",
    at: T0,
  });
  const probe = fixture.state.server("n2")!.shadowsocksProbe!;
  assert.is(probe.port, 21000);
  assert.is(
    fixture.ok(command.issueConfig("s2", "10", { protocol: "shadowsocks" })).shadowsocks.port ===
      21000,
    false,
  );
  assert.ok(
    fixture.state
      .desiredShadowsocksPorts("n2")
      .some((port) => port.configId === "shadowsocks-probe" && port.port === 21000),
    "the agent serves it",
  );
  round(fixture, 1, WIREGUARD_DROPPED);
  round(fixture, 2, WIREGUARD_DROPPED);
  const restored = new ControlPlaneState();
  restored.restore(fixture.state.snapshot());
  assert.equal(
    restored.server("n1")!.blockedProtocols,
    fixture.state.server("n1")!.blockedProtocols,
  );
  assert.equal(restored.server("n1")!.checks.protocols, [
    { protocol: "wireguard", consecutiveFiltered: 2, consecutiveOk: 0 },
    { protocol: "shadowsocks", consecutiveFiltered: 0, consecutiveOk: 2 },
  ]);
  assert.equal(restored.server("n2")!.shadowsocksProbe, probe);
  assert.is(restored.stateHash(), fixture.state.stateHash());
});

test("a probe port needs a server that offers Shadowsocks", () => {
  const fixture = new Fixture();
  fixture.ok(command.registerServer("n1"));
  fixture.refused(
    {
      type: "setShadowsocksProbe",
      serverId: "n1",
      passwordSealed: "a",
      passwordSealedToServer: "b",
      at: T0,
    },
    "PROTOCOL_NOT_OFFERED",
  );
});

test.run();
