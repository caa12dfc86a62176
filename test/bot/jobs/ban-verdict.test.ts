import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  DEFAULT_VERDICT_POLICY,
  decideVerdict,
  evidenceDetail,
  MAX_EVIDENCE_LENGTH,
  type OutcomesByKind,
  type ServerVerdict,
  type VantageReport,
  type VerdictPolicy,
} from "../../../bot/jobs/ban-verdict.ts";
import type { ProbeOutcome } from "../../../shared/probe/probe-request.ts";

const up = (rttMs = 20): ProbeOutcome => ({ ok: true, rttMs });
const failed = (error = "generic_timeout_error"): ProbeOutcome => ({ ok: false, error });

const CONTROL_OK: OutcomesByKind = { tcp: up(), wireguard: up() };
const HEALTHY: OutcomesByKind = { tcp: up(), wireguard: up() };
const WIREGUARD_BLOCKED: OutcomesByKind = { tcp: up(), wireguard: failed() };
const ALL_BLOCKED: OutcomesByKind = {
  tcp: failed("connection_reset"),
  wireguard: failed(),
};

function vantage(id: string, isp: string, outcomes: OutcomesByKind | null): VantageReport {
  return { id, isp, outcomes };
}

/** `count` vantages of one ISP reporting the same outcomes, named `<isp><n>`. */
function many(count: number, isp: string, outcomes: OutcomesByKind | null): VantageReport[] {
  return Array.from({ length: count }, (_, n) => vantage(`${isp || "v"}${n + 1}`, isp, outcomes));
}

interface Row {
  rule: string;
  control: OutcomesByKind;
  vantages: VantageReport[];
  policy?: VerdictPolicy;
  expected: Partial<ServerVerdict> & Pick<ServerVerdict, "verdict">;
}

const rows: Row[] = [
  {
    rule: "no vantage probes configured and the control answers: ok",
    control: CONTROL_OK,
    vantages: [],
    expected: {
      verdict: "ok",
      filteredIsps: [],
      evidence: "ok: control ok; no vantage probes configured",
    },
  },
  {
    rule: "no vantage probes configured and the control fails: down",
    control: { tcp: failed("connection_refused"), wireguard: failed() },
    vantages: [],
    expected: {
      verdict: "down",
      evidence: "down: control fails tcp (connection_refused), wireguard (generic_timeout_error)",
    },
  },
  {
    rule: "a control failure is down, not filtered, however many vantages fail",
    control: { tcp: failed("connection_refused"), wireguard: failed() },
    vantages: many(4, "mci", ALL_BLOCKED),
    expected: { verdict: "down", filteredIsps: [] },
  },
  {
    rule: "the control reaches the API port but not WireGuard: down, the VPN is broken for everyone",
    control: { tcp: up(), wireguard: failed() },
    vantages: many(3, "mci", WIREGUARD_BLOCKED),
    expected: {
      verdict: "down",
      evidence: "down: control fails wireguard (generic_timeout_error); control tcp ok",
    },
  },
  {
    rule: "the control got no answer at all: inconclusive",
    control: { tcp: null, wireguard: null },
    vantages: many(3, "mci", ALL_BLOCKED),
    expected: {
      verdict: "inconclusive",
      evidence: "inconclusive: the control probes gave no answer",
    },
  },
  {
    rule: "the control ran no probe at all: inconclusive",
    control: {},
    vantages: [],
    expected: { verdict: "inconclusive" },
  },
  {
    rule: "every vantage succeeds: ok",
    control: CONTROL_OK,
    vantages: many(3, "mci", HEALTHY),
    expected: { verdict: "ok", evidence: "ok: 0/3 answering vantages fail; control ok" },
  },
  {
    rule: "a block of the WireGuard handshake alone, the API port still open: filtered",
    control: CONTROL_OK,
    vantages: many(3, "mci", WIREGUARD_BLOCKED),
    expected: {
      verdict: "filtered",
      filteredIsps: ["mci"],
      evidence:
        "filtered at ISP mci: 3/3 vantages fail wireguard (generic_timeout_error); control ok",
    },
  },
  {
    rule: "a block at one ISP only is filtered there, though most vantages elsewhere succeed",
    control: CONTROL_OK,
    vantages: [...many(2, "mci", ALL_BLOCKED), ...many(4, "tci", HEALTHY)],
    expected: {
      verdict: "filtered",
      filteredIsps: ["mci"],
      evidence:
        "filtered at ISP mci: 2/2 vantages fail tcp (connection_reset), wireguard (generic_timeout_error); control ok",
    },
  },
  {
    rule: "blocks at two ISPs are both named, in order",
    control: CONTROL_OK,
    vantages: [...many(2, "tci", WIREGUARD_BLOCKED), ...many(2, "mci", ALL_BLOCKED)],
    expected: { verdict: "filtered", filteredIsps: ["mci", "tci"] },
  },
  {
    rule: "one failing vantage among healthy ones of its ISP: ok",
    control: CONTROL_OK,
    vantages: [vantage("a", "mci", ALL_BLOCKED), ...many(2, "mci", HEALTHY)],
    expected: { verdict: "ok", evidence: "ok: 1/3 answering vantages fail; control ok" },
  },
  {
    rule: "one failing vantage of two, without labels: ok, a single vantage never filters",
    control: CONTROL_OK,
    vantages: [vantage("a", "", ALL_BLOCKED), vantage("b", "", HEALTHY)],
    expected: { verdict: "ok" },
  },
  {
    rule: "a lone vantage of its ISP failing while others answer: ok",
    control: CONTROL_OK,
    vantages: [vantage("a", "rightel", ALL_BLOCKED), ...many(3, "mci", HEALTHY)],
    expected: { verdict: "ok", filteredIsps: [] },
  },
  {
    rule: "two flaky vantages at different ISPs, each outnumbered by healthy ones: ok",
    control: CONTROL_OK,
    vantages: [
      vantage("m1", "mci", ALL_BLOCKED),
      ...many(2, "mci", HEALTHY),
      vantage("t1", "tci", WIREGUARD_BLOCKED),
      ...many(2, "tci", HEALTHY),
    ],
    expected: { verdict: "ok", evidence: "ok: 2/6 answering vantages fail; control ok" },
  },
  {
    rule: "unlabelled vantages failing together: filtered overall, no ISP named",
    control: CONTROL_OK,
    vantages: many(2, "", WIREGUARD_BLOCKED),
    expected: {
      verdict: "filtered",
      filteredIsps: [],
      evidence: "filtered overall: 2/2 vantages fail wireguard (generic_timeout_error); control ok",
    },
  },
  {
    rule: "a country-wide block seen by one vantage per ISP: filtered overall",
    control: CONTROL_OK,
    vantages: [
      vantage("a", "mci", ALL_BLOCKED),
      vantage("b", "tci", ALL_BLOCKED),
      vantage("c", "rightel", WIREGUARD_BLOCKED),
    ],
    expected: { verdict: "filtered", filteredIsps: [] },
  },
  {
    rule: "every vantage unreachable: inconclusive",
    control: CONTROL_OK,
    vantages: many(3, "mci", null),
    expected: {
      verdict: "inconclusive",
      evidence: "inconclusive: 0 vantages answered, 2 needed, 3 of 3 gave no answer; control ok",
    },
  },
  {
    rule: "why vantages gave no answer is named, by code, in the evidence",
    control: CONTROL_OK,
    vantages: [
      vantage("a", "mci", HEALTHY),
      vantage("b", "mci", HEALTHY),
      { id: "thr1", isp: "mci", outcomes: null, error: "VANTAGE_CERT_MISMATCH" },
      { id: "mhd1", isp: "mci", outcomes: null, error: "VANTAGE_TIMEOUT" },
      { id: "tbz1", isp: "mci", outcomes: null, error: "VANTAGE_TIMEOUT" },
      { id: "quiet", isp: "mci", outcomes: null },
    ],
    expected: {
      verdict: "ok",
      evidence:
        "ok: 0/2 answering vantages fail, 4 of 6 gave no answer (VANTAGE_CERT_MISMATCH: thr1; VANTAGE_TIMEOUT: mhd1, tbz1); control ok",
    },
  },
  {
    rule: "one failing vantage answers, the rest are unreachable: inconclusive, never filtered",
    control: CONTROL_OK,
    vantages: [vantage("a", "mci", ALL_BLOCKED), ...many(3, "tci", null)],
    expected: { verdict: "inconclusive" },
  },
  {
    rule: "vantages that answered only for kinds without a control answer: inconclusive",
    control: { tcp: null, wireguard: up() },
    vantages: many(3, "mci", { tcp: failed("connection_reset") }),
    expected: { verdict: "inconclusive" },
  },
  {
    rule: "a kind the control got no answer for says nothing at the vantages either",
    control: { tcp: up(), wireguard: null },
    vantages: many(3, "mci", WIREGUARD_BLOCKED),
    expected: { verdict: "ok", evidence: "ok: 0/3 answering vantages fail; control ok" },
  },
  {
    rule: "a vantage with no answer for one kind still answers with the other",
    control: CONTROL_OK,
    vantages: many(2, "mci", { tcp: up(), wireguard: null }),
    expected: { verdict: "ok", evidence: "ok: 0/2 answering vantages fail; control ok" },
  },
  {
    rule: "a failure of either kind makes a vantage fail; evidence lists every failure",
    control: CONTROL_OK,
    vantages: [
      vantage("a", "mci", { tcp: failed("connection_reset"), wireguard: up() }),
      vantage("b", "mci", { tcp: up(), wireguard: failed() }),
      vantage("c", "mci", { tcp: failed("eof_error"), wireguard: failed() }),
    ],
    expected: {
      verdict: "filtered",
      evidence:
        "filtered at ISP mci: 3/3 vantages fail tcp (connection_reset, eof_error), wireguard (generic_timeout_error); control ok",
    },
  },
  {
    rule: "a stricter policy needs more answers: two failing of two is inconclusive at M=3",
    control: CONTROL_OK,
    vantages: many(2, "mci", ALL_BLOCKED),
    policy: { minAnswers: 3, failingToFilter: 2 },
    expected: { verdict: "inconclusive" },
  },
  {
    rule: "a stricter policy needs more failures: two failing of three is ok at K=3",
    control: CONTROL_OK,
    vantages: [...many(2, "mci", ALL_BLOCKED), vantage("x", "mci", HEALTHY)],
    policy: { minAnswers: 3, failingToFilter: 3 },
    expected: { verdict: "ok" },
  },
  {
    rule: "a policy of K=1 lets one vantage filter, for a fleet that trusts a single probe",
    control: CONTROL_OK,
    vantages: [vantage("a", "mci", WIREGUARD_BLOCKED)],
    policy: { minAnswers: 1, failingToFilter: 1 },
    expected: { verdict: "filtered", filteredIsps: ["mci"] },
  },
  {
    rule: "half failing is not a majority: ok",
    control: CONTROL_OK,
    vantages: [...many(2, "mci", ALL_BLOCKED), ...many(2, "mci", HEALTHY)],
    expected: { verdict: "ok" },
  },
  {
    rule: "failure names from vantages are reduced to plain characters",
    control: CONTROL_OK,
    vantages: many(2, "mci", { wireguard: failed("<b>bad</b> news") }),
    expected: {
      verdict: "filtered",
      evidence: "filtered at ISP mci: 2/2 vantages fail wireguard (_b_bad__b__news); control ok",
    },
  },
  {
    rule: "a failure without a name still counts",
    control: CONTROL_OK,
    vantages: many(2, "mci", { tcp: { ok: false } }),
    expected: {
      verdict: "filtered",
      evidence: "filtered at ISP mci: 2/2 vantages fail tcp (no reason given); control ok",
    },
  },
];

for (const row of rows) {
  test(row.rule, () => {
    const verdict = decideVerdict(row.control, row.vantages, row.policy);
    for (const [field, value] of Object.entries(row.expected))
      assert.equal(verdict[field as keyof ServerVerdict], value, `${field} of ${row.rule}`);
  });
}

test("the default policy needs two failing vantages that agree", () => {
  assert.equal(DEFAULT_VERDICT_POLICY, { minAnswers: 2, failingToFilter: 2 });
});

test("one vantage alternately failing, round after round, never yields filtered", () => {
  for (let round = 0; round < 12; round++) {
    const flapping = round % 2 === 0 ? ALL_BLOCKED : HEALTHY;
    const verdict = decideVerdict(CONTROL_OK, [
      vantage("flaky", "mci", flapping),
      ...many(2, "mci", HEALTHY),
    ]);
    assert.is(verdict.verdict, "ok", `round ${round}: ${verdict.evidence}`);
  }
});

test("two vantages flapping out of step, never failing together, never yield filtered", () => {
  for (let round = 0; round < 12; round++) {
    const verdict = decideVerdict(CONTROL_OK, [
      vantage("a", "mci", round % 2 === 0 ? WIREGUARD_BLOCKED : HEALTHY),
      vantage("b", "mci", round % 2 === 1 ? WIREGUARD_BLOCKED : HEALTHY),
    ]);
    assert.is(verdict.verdict, "ok", `round ${round}: ${verdict.evidence}`);
  }
});

test("evidence never exceeds the verdict command's limit, however many ISPs are filtered", () => {
  const vantages = Array.from({ length: 40 }, (_, n) =>
    many(2, `isp-with-a-long-name-${n}`, ALL_BLOCKED),
  ).flat();
  const verdict = decideVerdict(CONTROL_OK, vantages);
  assert.is(verdict.verdict, "filtered");
  assert.is(verdict.filteredIsps.length, 40);
  assert.is(verdict.evidence.length, MAX_EVIDENCE_LENGTH);
  assert.ok(verdict.evidence.endsWith("…"));
});

const outcome = fc.oneof(
  fc.constant(null),
  fc.record({ ok: fc.constant(true), rttMs: fc.nat(5_000) }),
  fc.record({
    ok: fc.constant(false),
    error: fc.constantFrom("generic_timeout_error", "connection_reset", "eof_error"),
  }),
);
const outcomes = fc.record({ tcp: outcome, wireguard: outcome }, { requiredKeys: [] });
const healthyOutcomes = fc.record(
  {
    tcp: fc.oneof(fc.constant(null), fc.constant(up())),
    wireguard: fc.oneof(fc.constant(null), fc.constant(up())),
  },
  { requiredKeys: [] },
);
const isp = fc.constantFrom("", "mci", "tci", "rightel");
const healthyVantage = fc.record({
  id: fc.string({ minLength: 1, maxLength: 8 }),
  isp,
  outcomes: fc.oneof(fc.constant(null), healthyOutcomes),
});
const anyVantage = fc.record({
  id: fc.string({ minLength: 1, maxLength: 8 }),
  isp,
  outcomes: fc.oneof(fc.constant(null), outcomes),
});

test("property: a single failing vantage never makes filtered when K >= 2", () => {
  fc.assert(
    fc.property(
      outcomes,
      fc.array(healthyVantage, { maxLength: 12 }),
      anyVantage,
      fc.nat(12),
      fc.record({
        minAnswers: fc.integer({ min: 1, max: 6 }),
        failingToFilter: fc.integer({ min: 2, max: 6 }),
      }),
      (control, healthy, suspect, position, policy) => {
        const vantages = [...healthy];
        vantages.splice(position % (healthy.length + 1), 0, suspect);
        const verdict = decideVerdict(control, vantages, policy);
        return verdict.verdict !== "filtered";
      },
    ),
    { numRuns: 2_000 },
  );
});

test("property: the verdict does not depend on the order vantages reported in", () => {
  fc.assert(
    fc.property(
      outcomes,
      fc.array(anyVantage, { maxLength: 10 }),
      fc.record({
        minAnswers: fc.integer({ min: 1, max: 4 }),
        failingToFilter: fc.integer({ min: 1, max: 4 }),
      }),
      (control, vantages, policy) => {
        const forward = decideVerdict(control, vantages, policy);
        const backward = decideVerdict(control, [...vantages].reverse(), policy);
        assert.equal(backward, forward);
        assert.ok(forward.evidence.length <= MAX_EVIDENCE_LENGTH);
      },
    ),
    { numRuns: 1_000 },
  );
});

test("each ISP group gets its own verdict for the charts: filtered, ok, or inconclusive with too few answers", () => {
  const verdict = decideVerdict(CONTROL_OK, [
    ...many(2, "mci", ALL_BLOCKED),
    ...many(3, "tci", HEALTHY),
    ...many(1, "irancell", HEALTHY),
    ...many(2, "", HEALTHY),
  ]);
  assert.equal(verdict.ispVerdicts, [
    { isp: "irancell", verdict: "inconclusive" },
    { isp: "mci", verdict: "filtered" },
    { isp: "tci", verdict: "ok" },
  ]);
  const down = decideVerdict({ tcp: failed() }, many(2, "mci", ALL_BLOCKED));
  assert.equal(down.ispVerdicts, [], "the control alone decides a down server");
});

test("a verdict carries at most 32 ISP groups, the first by label", () => {
  const vantages = Array.from({ length: 40 }, (_, n) =>
    many(2, `isp${String(n).padStart(2, "0")}`, HEALTHY),
  ).flat();
  const verdict = decideVerdict(CONTROL_OK, vantages);
  assert.is(verdict.ispVerdicts.length, 32);
  assert.is(verdict.ispVerdicts.at(-1)!.isp, "isp31");
});

test("a reply that names the verdict shows the evidence without saying the verdict again", () => {
  assert.is(
    evidenceDetail("ok", "ok: control ok; no vantage probes configured"),
    "control ok; no vantage probes configured",
  );
  assert.is(
    evidenceDetail("down", "down: control fails tcp (connection_refused)"),
    "control fails tcp (connection_refused)",
  );
  assert.is(
    evidenceDetail("filtered", "filtered at ISP mci: 3/3 vantages fail wireguard (x); control ok"),
    "at ISP mci: 3/3 vantages fail wireguard (x); control ok",
  );
  assert.is(evidenceDetail("ok", "recorded by an older node"), "recorded by an older node");
  assert.is(evidenceDetail("ok", "ok"), "ok", "nothing but the verdict: kept");
});

test.run();
