import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { API_ACTOR } from "../../../cluster/fsm/actors.ts";
import { parseCidr, parseIpv4 } from "../../../cluster/fsm/ipv4.ts";
import type { ServerStatus } from "../../../cluster/fsm/records.ts";
import { lastClientOffset } from "../../../cluster/fsm/subnet-layout.ts";
import { command, DAY_MS, Fixture, T0 } from "./support/control-plane-fixture.ts";

function oneServer(fields = {}): Fixture {
  const fixture = new Fixture();
  fixture.ok(command.registerServer("n1", fields));
  fixture.ok(command.upsertUser("10"));
  return fixture;
}

test("a config is issued on a server with the first client address and the default lifetime", () => {
  const fixture = oneServer();
  const request = command.issueConfig("c1", "10", { at: T0 + 7 });
  const config = fixture.ok(request);
  assert.equal(config, {
    id: "c1",
    userId: "10",
    serverId: "n1",
    protocol: "wireguard",
    clientPublicKey: request.clientPublicKey,
    deliveryKeysSealed: "sealed-c1",
    keysIssuedAt: T0 + 7,
    deliveredAt: null,
    keysErasedAt: null,
    keysErasedReason: null,
    serverPresharedKeySealed: null,
    address: "10.64.0.2",
    createdAt: T0 + 7,
    expiresAt: T0 + 7 + 30 * DAY_MS,
    revokedAt: null,
    revokeReason: null,
    expiryWarned: false,
    replacedBy: null,
    shadowsocks: null,
  });
  assert.equal(fixture.state.configsOfUser("10"), [config]);
  assert.equal(
    fixture.state.desiredPeers("n1"),
    [],
    "the server adds the peer once its preshared key is sealed to it",
  );
});

test("the lifetime comes from configLifetimeDays; 0 means never", () => {
  const fixture = oneServer();
  fixture.ok({ type: "setSetting", key: "configLifetimeDays", value: "7", actor: API_ACTOR });
  assert.is(fixture.ok(command.issueConfig("c1", "10")).expiresAt, T0 + 7 * DAY_MS);
  fixture.ok({ type: "setSetting", key: "configLifetimeDays", value: "0", actor: API_ACTOR });
  assert.is(fixture.ok(command.issueConfig("c2", "10")).expiresAt, null);
});

test("users get no configs unless known and active", () => {
  const fixture = oneServer();
  fixture.refused(command.issueConfig("c1", "99"), "UNKNOWN_USER");
  fixture.ok({ type: "setSetting", key: "accessMode", value: "approval", actor: API_ACTOR });
  fixture.ok(command.upsertUser("11"));
  fixture.refused(command.issueConfig("c1", "11"), "USER_NOT_ACTIVE");
  fixture.ok({ type: "setUserStatus", userId: "10", status: "blocked", actor: API_ACTOR, at: T0 });
  fixture.refused(command.issueConfig("c1", "10"), "USER_NOT_ACTIVE");
});

test("the per-user limit counts live configs only", () => {
  const fixture = oneServer();
  for (const id of ["c1", "c2", "c3"]) fixture.ok(command.issueConfig(id, "10"));
  fixture.refused(command.issueConfig("c4", "10"), "CONFIG_LIMIT_REACHED");
  fixture.ok(command.revokeConfig("c2"));
  fixture.ok(command.issueConfig("c4", "10"));
  fixture.ok({ type: "setSetting", key: "configsPerUser", value: "5", actor: API_ACTOR });
  fixture.ok(command.issueConfig("c5", "10"));
});

test("no server, a full server, or a server without endpoint: NO_CAPACITY", () => {
  const fixture = new Fixture();
  fixture.ok(command.upsertUser("10"));
  fixture.refused(command.issueConfig("c1", "10"), "NO_CAPACITY");
  fixture.ok(command.registerServer("n1", { endpointHost: null }));
  fixture.refused(command.issueConfig("c1", "10"), "NO_CAPACITY");
  fixture.ok({ type: "setServerEndpoint", serverId: "n1", endpointHost: "198.51.100.1", at: T0 });
  fixture.ok(command.registerServer("n1", { capacity: 1, endpointHost: null }));
  fixture.ok(command.issueConfig("c1", "10"));
  fixture.refused(command.issueConfig("c2", "10"), "NO_CAPACITY");
});

test("a requested region is honoured", () => {
  const fixture = oneServer({ region: "eu" });
  fixture.ok(command.registerServer("n2", { region: "us" }));
  assert.is(fixture.ok(command.issueConfig("c1", "10", { region: "us" })).serverId, "n2");
  assert.is(fixture.ok(command.issueConfig("c2", "10", { region: "us" })).serverId, "n2");
  fixture.refused(command.issueConfig("c3", "10", { region: "asia" }), "NO_CAPACITY_IN_REGION");
});

test("AmneziaWG configs need a server with AmneziaWG parameters", () => {
  const fixture = oneServer();
  fixture.refused(
    command.issueConfig("c1", "10", { protocol: "amneziawg" }),
    "PROTOCOL_NOT_OFFERED",
  );
  const amnezia = {
    jc: 4,
    jmin: 40,
    jmax: 70,
    s1: 0,
    s2: 0,
    h1: 1_000_001,
    h2: 1_000_002,
    h3: 1_000_003,
    h4: 1_000_004,
  };
  fixture.ok(command.registerServer("n2", { amnezia }));
  const config = fixture.ok(command.issueConfig("c1", "10", { protocol: "amneziawg" }));
  assert.equal([config.serverId, config.protocol], ["n2", "amneziawg"]);
  assert.equal(fixture.state.server("n2")!.amnezia, amnezia);
});

test("ids and client keys must be new", () => {
  const fixture = oneServer();
  const first = fixture.ok(command.issueConfig("c1", "10"));
  fixture.refused(command.issueConfig("c1", "10"), "DUPLICATE_CONFIG_ID");
  fixture.refused(
    command.issueConfig("c2", "10", { clientPublicKey: first.clientPublicKey }),
    "DUPLICATE_PUBLIC_KEY",
  );
  fixture.refused(
    command.issueConfig("c2", "10", { clientPublicKey: fixture.state.server("n1")!.publicKey }),
    "DUPLICATE_PUBLIC_KEY",
  );
  fixture.ok(command.revokeConfig("c1"));
  fixture.refused(command.issueConfig("c1", "10"), "DUPLICATE_CONFIG_ID");
  fixture.ok(command.issueConfig("c2", "10", { clientPublicKey: first.clientPublicKey }));
});

test("an idempotency key returns the first config and creates nothing", () => {
  const fixture = oneServer();
  const first = fixture.ok(command.issueConfig("c1", "10", { idempotencyKey: "req-1" }));
  const before = fixture.state.stateHash();
  const retry = fixture.apply(command.issueConfig("c2", "10", { idempotencyKey: "req-1" }));
  assert.equal(retry, { ok: true, value: first, duplicate: true });
  assert.is(fixture.state.stateHash(), before);
  assert.is(fixture.state.config("c2"), undefined);
  fixture.ok(command.upsertUser("11"));
  fixture.refused(
    command.issueConfig("c3", "11", { idempotencyKey: "req-1" }),
    "IDEMPOTENCY_KEY_REUSED",
  );
  fixture.ok(command.issueConfig("c3", "10", { idempotencyKey: "req-2" }));
});

test("revoking frees the address, and the lowest free address is reused first", () => {
  const fixture = oneServer();
  fixture.ok({ type: "setSetting", key: "configsPerUser", value: "10", actor: API_ACTOR });
  for (const id of ["a", "b", "c", "d"]) fixture.ok(command.issueConfig(id, "10"));
  const revoked = fixture.ok(command.revokeConfig("c", { at: T0 + 5, reason: "lost phone" }));
  assert.equal([revoked.revokedAt, revoked.revokeReason], [T0 + 5, "lost phone"]);
  fixture.ok(command.revokeConfig("b"));
  assert.equal(
    ["e", "f", "g"].map((id) => fixture.ok(command.issueConfig(id, "10")).address),
    ["10.64.0.3", "10.64.0.4", "10.64.0.6"],
  );
});

test("revoke refusals: unknown, not the owner, already revoked", () => {
  const fixture = oneServer();
  fixture.ok(command.upsertUser("11"));
  fixture.ok(command.issueConfig("c1", "10"));
  fixture.refused(command.revokeConfig("nope"), "UNKNOWN_CONFIG");
  fixture.refused(command.revokeConfig("c1", { userId: "11" }), "NOT_OWNER");
  fixture.ok(command.revokeConfig("c1", { userId: "10" }));
  fixture.refused(command.revokeConfig("c1"), "CONFIG_ALREADY_REVOKED");
});

test("malformed config commands are refused", () => {
  const fixture = oneServer();
  fixture.refused({ ...command.issueConfig("c1", "10"), protocol: "openvpn" }, "INVALID_COMMAND");
  fixture.refused(
    { ...command.issueConfig("c1", "10"), clientPublicKey: "not a key" },
    "INVALID_COMMAND",
  );
  fixture.refused({ ...command.issueConfig("c 1", "10") }, "INVALID_COMMAND");
  fixture.refused(
    { ...command.issueConfig("c1", "10"), deliveryKeysSealed: "" },
    "INVALID_COMMAND",
  );
  fixture.refused({ ...command.issueConfig("c1", "10"), serverId: "n1" }, "INVALID_COMMAND");
  fixture.refused(command.revokeConfig("c1", { reason: "" }), "INVALID_COMMAND");
});

type Step =
  | { kind: "issue"; user: number; region: string | undefined }
  | { kind: "revoke"; pick: number }
  | { kind: "expire"; days: number }
  | { kind: "status"; server: number; status: Exclude<ServerStatus, "removed"> };

const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("issue" as const),
      user: fc.nat(7),
      region: fc.constantFrom(undefined, "eu", "us"),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("revoke" as const), pick: fc.nat(1000) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("expire" as const),
      days: fc.integer({ min: 0, max: 12 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("status" as const),
      server: fc.nat(3),
      status: fc.constantFrom<Exclude<ServerStatus, "removed">>(
        "active",
        "draining",
        "down",
        "active",
      ),
    }),
  },
);

test("property: placement and addressing keep their promises under any mix of requests", () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 4, maxLength: 4 }),
      fc.array(stepArbitrary, { maxLength: 120 }),
      (capacities, steps) => {
        const fixture = new Fixture();
        fixture.ok({ type: "setSetting", key: "configsPerUser", value: "4", actor: API_ACTOR });
        fixture.ok({ type: "setSetting", key: "configLifetimeDays", value: "5", actor: API_ACTOR });
        capacities.forEach((capacity, i) => {
          fixture.ok(command.registerServer(`n${i}`, { capacity, region: i % 2 ? "us" : "eu" }));
        });
        for (let user = 0; user < 8; user++) fixture.ok(command.upsertUser(String(100 + user)));
        let now = T0;
        let nextConfig = 0;
        for (const step of steps) {
          now += 1000;
          if (step.kind === "issue") {
            const before = fixture.state.servers();
            const result = fixture.apply(
              command.issueConfig(`k${nextConfig++}`, String(100 + step.user), {
                region: step.region,
                at: now,
              }),
            );
            if (result.ok) {
              const config = result.value as { serverId: string; address: string };
              const chosen = before.find((server) => server.id === config.serverId)!;
              assert.is(chosen.status, "active", "never an ineligible server");
              assert.ok(chosen.liveConfigs < chosen.capacity, "never a full server");
              if (step.region) assert.is(chosen.region, step.region);
              const eligible = before.filter(
                (server) =>
                  server.status === "active" &&
                  server.liveConfigs < server.capacity &&
                  (!step.region || server.region === step.region),
              );
              for (const other of eligible)
                assert.ok(
                  chosen.liveConfigs / chosen.capacity <= other.liveConfigs / other.capacity,
                  "least loaded",
                );
              // The lowest address not held by a live config on that server.
              const subnet = parseCidr(chosen.subnet)!;
              const taken = new Set(
                fixture.state
                  .liveConfigsOfServer(chosen.id)
                  .filter((live) => live.address !== config.address)
                  .map((live) => parseIpv4(live.address)! - subnet.network),
              );
              let lowest = 2;
              while (taken.has(lowest)) lowest++;
              assert.is(parseIpv4(config.address)! - subnet.network, lowest, "lowest free address");
            }
          } else if (step.kind === "revoke") {
            const live = fixture.state
              .servers()
              .flatMap((server) => fixture.state.liveConfigsOfServer(server.id));
            if (live.length > 0)
              fixture.ok(command.revokeConfig(live[step.pick % live.length]!.id, { at: now }));
          } else if (step.kind === "expire") {
            now += step.days * DAY_MS;
            fixture.ok({ type: "expireConfigs", at: now });
          } else {
            fixture.ok({
              type: "setServerStatus",
              serverId: `n${step.server}`,
              status: step.status,
              reason: "",
              actor: API_ACTOR,
              at: now,
            });
          }
          for (const server of fixture.state.servers()) {
            const live = fixture.state.liveConfigsOfServer(server.id);
            const addresses = live.map((config) => config.address);
            assert.is(
              new Set(addresses).size,
              addresses.length,
              "no two live configs share an address",
            );
            assert.ok(live.length <= server.capacity, "capacity respected");
            const subnet = parseCidr(server.subnet)!;
            for (const address of addresses) {
              const offset = parseIpv4(address)! - subnet.network;
              assert.ok(
                offset >= 2 && offset <= lastClientOffset(subnet),
                "inside the client range",
              );
            }
          }
        }
      },
    ),
    { numRuns: 60 },
  );
});

test.run();
