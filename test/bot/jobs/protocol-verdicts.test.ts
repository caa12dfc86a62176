import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  decideVerdict,
  type OutcomesByKind,
  type VantageReport,
} from "../../../bot/jobs/ban-verdict.ts";
import { decideCheck } from "../../../bot/jobs/protocol-verdicts.ts";
import type { ProbeOutcome } from "../../../shared/probe/probe-request.ts";

const up = (rttMs = 20): ProbeOutcome => ({ ok: true, rttMs });
const failed = (error = "generic_timeout_error"): ProbeOutcome => ({ ok: false, error });

const CONTROL_OK: OutcomesByKind = { tcp: up(), wireguard: up(), shadowsocks: up() };
const HEALTHY: OutcomesByKind = { tcp: up(), wireguard: up(), shadowsocks: up() };
const WIREGUARD_DROPPED: OutcomesByKind = { tcp: up(), wireguard: failed(), shadowsocks: up() };
const SHADOWSOCKS_CUT: OutcomesByKind = {
  tcp: up(),
  wireguard: up(),
  shadowsocks: failed("connection_reset"),
};
const ADDRESS_DROPPED: OutcomesByKind = {
  tcp: failed(),
  wireguard: failed(),
  shadowsocks: failed(),
};

function many(count: number, isp: string, outcomes: OutcomesByKind | null): VantageReport[] {
  return Array.from({ length: count }, (_, n) => ({ id: `${isp}${n + 1}`, isp, outcomes }));
}

test("WireGuard dropped by shape at one ISP, Shadowsocks through: the server is ok, WireGuard filtered there", () => {
  const check = decideCheck(CONTROL_OK, [
    ...many(2, "mci", WIREGUARD_DROPPED),
    ...many(2, "tci", HEALTHY),
  ]);
  assert.is(check.verdict, "ok");
  assert.equal(check.protocols, [
    { protocol: "wireguard", verdict: "filtered", filteredIsps: ["mci"] },
    { protocol: "shadowsocks", verdict: "ok", filteredIsps: [] },
  ]);
  assert.is(
    check.evidence,
    "wireguard: filtered, shadowsocks: ok; wireguard filtered at ISP mci: 2/2 vantages fail wireguard (generic_timeout_error); control ok; server ok: 0/4 answering vantages fail; control ok",
  );
});

test("Shadowsocks cut while WireGuard passes: Shadowsocks filtered, overall when no ISP alone is", () => {
  const check = decideCheck(CONTROL_OK, [
    { id: "a", isp: "", outcomes: SHADOWSOCKS_CUT },
    { id: "b", isp: "", outcomes: SHADOWSOCKS_CUT },
  ]);
  assert.is(check.verdict, "ok");
  assert.equal(check.protocols, [
    { protocol: "wireguard", verdict: "ok", filteredIsps: [] },
    { protocol: "shadowsocks", verdict: "filtered", filteredIsps: [] },
  ]);
});

test("the address dropped: every protocol filtered makes the server filtered, as before", () => {
  const check = decideCheck(CONTROL_OK, many(3, "mci", ADDRESS_DROPPED));
  assert.is(check.verdict, "filtered");
  assert.equal(check.filteredIsps, ["mci"]);
  assert.equal(
    check.protocols.map(({ verdict }) => verdict),
    ["filtered", "filtered"],
  );
  assert.match(
    check.evidence,
    /^wireguard: filtered, shadowsocks: filtered; every protocol is blocked/,
  );
});

test("every protocol blocked, each by shape while the port answers: the server is filtered", () => {
  const check = decideCheck(
    CONTROL_OK,
    many(2, "mci", { tcp: up(), wireguard: failed(), shadowsocks: failed("eof_error") }),
  );
  assert.is(check.verdict, "filtered");
});

test("the node's port blocked while both protocols pass: the server is filtered by its remaining probes", () => {
  const check = decideCheck(
    CONTROL_OK,
    many(2, "mci", { tcp: failed("connection_reset"), wireguard: up(), shadowsocks: up() }),
  );
  assert.is(check.verdict, "filtered");
  assert.equal(
    check.protocols.map(({ verdict }) => verdict),
    ["ok", "ok"],
  );
});

test("a protocol failing at the control makes the server down, and no protocol is judged", () => {
  const check = decideCheck(
    { tcp: up(), wireguard: up(), shadowsocks: failed("connection_refused") },
    many(3, "mci", WIREGUARD_DROPPED),
  );
  assert.is(check.verdict, "down");
  assert.equal(check.protocols, []);
});

test("a control without answers is inconclusive, and no protocol is judged", () => {
  const check = decideCheck(
    { tcp: null, wireguard: null, shadowsocks: null },
    many(3, "mci", HEALTHY),
  );
  assert.is(check.verdict, "inconclusive");
  assert.equal(check.protocols, []);
});

test("unreachable vantages leave every protocol inconclusive", () => {
  const check = decideCheck(CONTROL_OK, many(3, "mci", null));
  assert.is(check.verdict, "inconclusive");
  assert.equal(
    check.protocols.map(({ verdict }) => verdict),
    ["inconclusive", "inconclusive"],
  );
});

test("a server with one protocol is judged as a whole, with no protocol verdicts", () => {
  const control = { tcp: up(), wireguard: up() };
  const vantages = many(2, "mci", { tcp: up(), wireguard: failed() });
  assert.equal(decideCheck(control, vantages), {
    ...decideVerdict(control, vantages),
    protocols: [],
  });
});

const outcome = fc.oneof(fc.constant(null), fc.constant(up()), fc.constant(failed()));
const outcomes = fc.record({ tcp: outcome, wireguard: outcome, shadowsocks: outcome });

test("property: one vantage failing, whatever the others say, never filters a protocol or the server alone", () => {
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom("mci", "tci", ""), { minLength: 1, maxLength: 6 }),
      fc.constantFrom("mci", "tci", ""),
      outcomes,
      (isps, flakyIsp, flakyOutcomes) => {
        const healthy = isps.map((isp, n) => ({ id: `h${n}`, isp, outcomes: HEALTHY }));
        const check = decideCheck(CONTROL_OK, [
          ...healthy,
          { id: "flaky", isp: flakyIsp, outcomes: flakyOutcomes },
        ]);
        assert.is.not(check.verdict, "filtered");
        for (const protocol of check.protocols) assert.is.not(protocol.verdict, "filtered");
      },
    ),
    { numRuns: 300 },
  );
});

test.run();
