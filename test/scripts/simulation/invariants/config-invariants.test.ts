import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Config } from "../../../../cluster/fsm/records.ts";
import type { ServerView } from "../../../../cluster/fsm/views.ts";
import { configViolation } from "../../../../scripts/simulation/invariants/config-invariants.ts";
import { fleetFixture } from "../support/fleet-fixture.ts";

/** The fleet's servers and live configs, as copies a test may change. */
function fleet(): { servers: ServerView[]; configs: Config[] } {
  const { state } = fleetFixture();
  return {
    servers: state.servers(),
    configs: ["c1", "c2", "c3"].map((id) => state.config(id)!),
  };
}

function byId<T extends { id: string }>(items: T[], id: string): T {
  return items.find((item) => item.id === id)!;
}

test("servers and live configs built by commands keep every invariant", () => {
  const { servers, configs } = fleet();
  assert.is(configViolation(servers, configs), undefined);
});

test("two live configs holding one address are caught", () => {
  const { servers, configs } = fleet();
  byId(configs, "c2").address = byId(configs, "c1").address;
  assert.match(
    configViolation(servers, configs) ?? "",
    /address .* held by live configs c1 and c2/,
  );
});

test("a live config on a banned or removed server is caught", () => {
  for (const status of ["banned", "removed"] as const) {
    const { servers, configs } = fleet();
    byId(servers, "n2").status = status;
    assert.match(configViolation(servers, configs) ?? "", `c3 is on ${status} server n2`);
  }
});

test("a live config of a protocol its server closed is caught", () => {
  const { servers, configs } = fleet();
  byId(servers, "n1").blockedProtocols = [
    { protocol: "shadowsocks", isps: ["MCI"], since: 0, evidence: "filtered" },
  ];
  assert.match(
    configViolation(servers, configs) ?? "",
    /c2 is shadowsocks on server n1, which closed/,
  );
});

test("a Shadowsocks port outside its server's range, or held twice, is caught", () => {
  const outside = fleet();
  byId(outside.configs, "c2").shadowsocks!.port = 20004;
  assert.match(configViolation(outside.servers, outside.configs) ?? "", /port 20004 outside/);

  const twice = fleet();
  const second = { ...byId(twice.configs, "c2"), id: "c4", address: "10.64.0.99" };
  assert.match(
    configViolation(twice.servers, [...twice.configs, second]) ?? "",
    /port n1:20000 is held by live config c2 and live config c4/,
  );
});

test("the ban checks' Shadowsocks probe port is its server's alone, inside its range", () => {
  const withProbeOn = (port: number) => {
    const { servers, configs } = fleet();
    byId(servers, "n1").shadowsocksProbe = {
      port,
      method: "aes-256-gcm",
      passwordSealed: "sealed",
      passwordSealedToServer: "sealed-to-server",
    };
    return configViolation(servers, configs) ?? "";
  };
  assert.is(withProbeOn(20001), "");
  assert.match(
    withProbeOn(20000),
    /port n1:20000 is held by the Shadowsocks probe and live config c2/,
  );
  assert.match(withProbeOn(30000), /probe port 30000 is outside/);
});

test.run();
