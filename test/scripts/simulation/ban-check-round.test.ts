import { test } from "uvu";
import * as assert from "uvu/assert";
import type { RandomSource } from "../../../cluster/raft/types.ts";
import { banCheckRound } from "../../../scripts/simulation/ban-check-round.ts";
import { fleetFixture, T0 } from "./support/fleet-fixture.ts";

const NOW = T0 + 3_600_000;

/** Rolls of 0-99 in turn (0: ok, 85: filtered for the server, 80: filtered for a protocol), then 0. */
function rolls(...values: number[]): RandomSource {
  return { nextInt: () => values.shift() ?? 0 };
}

function round(random: RandomSource) {
  const fixture = fleetFixture();
  const commands = banCheckRound(fixture.state, NOW, random).map((json) => JSON.parse(json));
  return { fixture, commands };
}

test("every server in service gets a verdict of this round; each protocol's, when it offers two", () => {
  const { commands } = round(rolls());
  assert.equal(
    commands.map((command) => [command.serverId, command.round, command.verdict]),
    [
      ["n1", NOW, "ok"],
      ["n2", NOW, "ok"],
    ],
  );
  assert.equal(commands[0].protocolVerdicts, [
    { protocol: "wireguard", verdict: "ok", filteredIsps: [] },
    { protocol: "shadowsocks", verdict: "ok", filteredIsps: [] },
  ]);
  assert.is(commands[1].protocolVerdicts, undefined, "n2 offers WireGuard alone");
  assert.equal(commands[0].replacementKeys, [], "nothing can move on a round that passed");
});

test("a filtered verdict, or a filtered protocol, comes with fresh keys for every live config", () => {
  const { fixture, commands } = round(rolls(0, 80, 0, 85));
  const [n1, n2] = commands;
  assert.is(n1.protocolVerdicts[0].verdict, "filtered");
  assert.equal(n1.protocolVerdicts[0].filteredIsps, ["MCI"]);
  assert.is(n1.replacementKeys.length, fixture.state.replacementKeysNeeded("n1").length);
  assert.is(n2.verdict, "filtered");
  assert.is(n2.replacementKeys.length, fixture.state.replacementKeysNeeded("n2").length);
  const ids = [...n1.replacementKeys, ...n2.replacementKeys].map(
    (key: { configId: string }) => key.configId,
  );
  const keys = [...n1.replacementKeys, ...n2.replacementKeys].map(
    (key: { clientPublicKey: string }) => key.clientPublicKey,
  );
  assert.is(new Set(ids).size, ids.length, "no two replacement ids alike");
  assert.is(new Set(keys).size, keys.length, "no two replacement keys alike");
  for (const command of commands) assert.ok(fixture.apply(JSON.stringify(command)).ok);
});

test("banned servers and servers without an endpoint are not checked", () => {
  const fixture = fleetFixture();
  fixture.ok({
    type: "setServerStatus",
    serverId: "n2",
    status: "banned",
    reason: "seized",
    actor: { kind: "api" },
    at: T0,
    replacementKeys: [],
  });
  fixture.ok({
    type: "registerServer",
    serverId: "n3",
    publicKey: fixture.state.server("n1")!.publicKey.replace(/^./, "B"),
    listenPort: 51820,
    apiPort: 8443,
    endpointHost: null,
    capacity: 4,
    region: "eu",
    at: T0,
  });
  const commands = banCheckRound(fixture.state, NOW, rolls());
  assert.equal(
    commands.map((json) => JSON.parse(json).serverId),
    ["n1"],
  );
});

test.run();
