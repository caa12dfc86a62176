import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { chooseServer, type PlacementCandidate } from "../../../cluster/fsm/placement.ts";
import { SERVER_STATUSES } from "../../../cluster/fsm/records.ts";

function candidate(serverId: string, fields: Partial<PlacementCandidate> = {}): PlacementCandidate {
  return {
    serverId,
    status: "active",
    region: "eu",
    capacity: 10,
    liveConfigs: 0,
    endpointKnown: true,
    protocols: ["wireguard"],
    freeShadowsocksPorts: 0,
    ...fields,
  };
}

const wireguard = { protocol: "wireguard" } as const;

test("the least loaded server wins, by live configs over capacity", () => {
  const chosen = chooseServer(
    [
      candidate("a", { liveConfigs: 5, capacity: 10 }),
      candidate("b", { liveConfigs: 30, capacity: 100 }),
      candidate("c", { liveConfigs: 2, capacity: 4 }),
    ],
    wireguard,
  );
  assert.equal(chosen, { ok: true, value: "b" });
});

test("equal load is broken by server id", () => {
  const chosen = chooseServer(
    [
      candidate("n3", { liveConfigs: 1, capacity: 2 }),
      candidate("n1", { liveConfigs: 2, capacity: 4 }),
    ],
    wireguard,
  );
  assert.equal(chosen, { ok: true, value: "n1" });
});

test("banned, draining and down servers are never chosen", () => {
  const chosen = chooseServer(
    [
      candidate("a", { status: "banned" }),
      candidate("b", { status: "draining" }),
      candidate("c", { status: "down" }),
      candidate("d", { liveConfigs: 9 }),
    ],
    wireguard,
  );
  assert.equal(chosen, { ok: true, value: "d" });
});

test("full servers and servers without a known endpoint are skipped", () => {
  const candidates = [
    candidate("a", { liveConfigs: 10 }),
    candidate("b", { endpointKnown: false }),
  ];
  const chosen = chooseServer(candidates, wireguard);
  assert.is(chosen.ok ? chosen.value : chosen.error.code, "NO_CAPACITY");
});

test("a requested region is honoured, with its own refusal when it has no room", () => {
  const candidates = [
    candidate("a", { region: "eu" }),
    candidate("b", { region: "us", liveConfigs: 10 }),
  ];
  assert.equal(chooseServer(candidates, { ...wireguard, region: "eu" }), { ok: true, value: "a" });
  const full = chooseServer(candidates, { ...wireguard, region: "us" });
  assert.is(full.ok ? full.value : full.error.code, "NO_CAPACITY_IN_REGION");
  const none = chooseServer(candidates, { ...wireguard, region: "asia" });
  assert.is(none.ok ? none.value : none.error.code, "NO_CAPACITY_IN_REGION");
});

test("AmneziaWG configs go only to servers that advertise AmneziaWG", () => {
  const candidates = [
    candidate("a"),
    candidate("b", { protocols: ["wireguard", "amneziawg"], liveConfigs: 8 }),
  ];
  assert.equal(chooseServer(candidates, { protocol: "amneziawg" }), { ok: true, value: "b" });
});

test("Shadowsocks configs go only to servers that offer Shadowsocks and have a free port", () => {
  const offering = { protocols: ["wireguard", "shadowsocks"] as const, freeShadowsocksPorts: 3 };
  const candidates = [
    candidate("a"),
    candidate("b", { ...offering, freeShadowsocksPorts: 0 }),
    candidate("c", { ...offering, liveConfigs: 9 }),
  ];
  assert.equal(chooseServer(candidates, { protocol: "shadowsocks" }), { ok: true, value: "c" });
  const portsTaken = chooseServer(candidates.slice(0, 2), { protocol: "shadowsocks" });
  assert.is(portsTaken.ok ? portsTaken.value : portsTaken.error.code, "NO_CAPACITY");
});

test("a protocol no active server offers is PROTOCOL_NOT_OFFERED, not a lack of capacity", () => {
  const candidates = [
    candidate("a"),
    candidate("b", { status: "draining", protocols: ["shadowsocks"], freeShadowsocksPorts: 5 }),
  ];
  for (const protocol of ["shadowsocks", "amneziawg"] as const) {
    const none = chooseServer(candidates, { protocol });
    assert.is(none.ok ? none.value : none.error.code, "PROTOCOL_NOT_OFFERED");
  }
});

test("no servers at all means NO_CAPACITY", () => {
  const none = chooseServer([], wireguard);
  assert.is(none.ok ? none.value : none.error.code, "NO_CAPACITY");
});

const candidateArbitrary = fc.record({
  serverId: fc.constantFrom("n1", "n2", "n3", "n4", "n5", "n6"),
  status: fc.constantFrom(...SERVER_STATUSES),
  region: fc.constantFrom("eu", "us"),
  capacity: fc.integer({ min: 1, max: 5000 }),
  liveConfigs: fc.integer({ min: 0, max: 6000 }),
  endpointKnown: fc.boolean(),
  protocols: fc.subarray(["wireguard", "amneziawg", "shadowsocks"] as const, { minLength: 1 }),
  freeShadowsocksPorts: fc.integer({ min: 0, max: 3 }),
});

test("property: the chosen server is eligible and no eligible server is less loaded", () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(candidateArbitrary, { selector: (c) => c.serverId, maxLength: 6 }),
      fc.option(fc.constantFrom("eu", "us"), { nil: undefined }),
      fc.constantFrom("wireguard" as const, "amneziawg" as const, "shadowsocks" as const),
      (candidates, region, protocol) => {
        const eligible = candidates.filter(
          (c) =>
            c.status === "active" &&
            c.endpointKnown &&
            c.liveConfigs < c.capacity &&
            c.protocols.includes(protocol) &&
            (protocol !== "shadowsocks" || c.freeShadowsocksPorts > 0) &&
            (region === undefined || c.region === region),
        );
        const chosen = chooseServer(candidates, { protocol, region });
        if (!chosen.ok) {
          assert.is(eligible.length, 0);
          return;
        }
        const winner = eligible.find((c) => c.serverId === chosen.value);
        assert.ok(winner, "the chosen server is eligible");
        for (const other of eligible) {
          assert.ok(winner.liveConfigs / winner.capacity <= other.liveConfigs / other.capacity);
        }
        // The answer does not depend on the order candidates are listed in.
        assert.equal(chooseServer([...candidates].reverse(), { protocol, region }), chosen);
      },
    ),
    { numRuns: 500 },
  );
});

test.run();
