/**
 * A small fleet built by real commands, for the simulator's invariants and
 * tasks to be tested on: n1 offers WireGuard and Shadowsocks (ports 20000 to
 * 20003), n2 WireGuard alone; user 10 has a WireGuard config (c1) and a
 * Shadowsocks one (c2), user 11 a WireGuard config (c3), all sealed to their
 * servers (unless `sealed` is false), so every one is on its server's interface.
 */
import { API_ACTOR } from "../../../../cluster/fsm/actors.ts";
import { command, Fixture, T0 } from "../../../cluster/fsm/support/control-plane-fixture.ts";

export { T0 };

export function fleetFixture({ sealed = true } = {}): Fixture {
  const fixture = new Fixture();
  fixture.ok(
    command.registerServer("n1", {
      protocols: ["wireguard", "shadowsocks"],
      shadowsocks: { firstPort: 20000, lastPort: 20003, method: "aes-256-gcm" },
    }),
  );
  fixture.ok(command.registerServer("n2"));
  fixture.ok(command.upsertUser("10"));
  fixture.ok(command.upsertUser("11"));
  fixture.ok(command.issueConfig("c1", "10"));
  fixture.ok(command.issueConfig("c2", "10", { protocol: "shadowsocks" }));
  fixture.ok(command.issueConfig("c3", "11"));
  if (sealed) fixture.sealForServers();
  return fixture;
}

/** Gives user 10 a quota of one MB and reports two MB of their WireGuard config's traffic: suspended. */
export function suspendUser10(fixture: Fixture): void {
  fixture.ok({ type: "setUserQuota", userId: "10", quotaGb: 0.001, actor: API_ACTOR, at: T0 });
  const config = fixture.state.config("c1")!;
  fixture.ok({
    type: "reportTraffic",
    serverId: config.serverId,
    counters: [{ configId: "c1", peer: config.clientPublicKey, rxBytes: 2_000_000, txBytes: 0 }],
    at: T0,
  });
}
