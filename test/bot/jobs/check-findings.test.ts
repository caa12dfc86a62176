/**
 * A ban check's evidence is recorded as text and read back as the findings
 * it was written from, so the bot can say it in an admin's language; any
 * other text is not taken for findings.
 */
import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { OutcomesByKind, VantageReport } from "../../../bot/jobs/ban-verdict.ts";
import { MAX_EVIDENCE_LENGTH } from "../../../bot/jobs/ban-verdict.ts";
import { findingsOf, findingsText } from "../../../bot/jobs/check-findings.ts";
import { decideCheck } from "../../../bot/jobs/protocol-verdicts.ts";

const outcome = fc.oneof(
  fc.constant(null),
  fc.record({ ok: fc.constant(true as const), rttMs: fc.nat(5_000) }),
  fc.record({
    ok: fc.constant(false as const),
    error: fc.constantFrom("generic_timeout_error", "connection_reset", "eof_error", ""),
  }),
);
const outcomes: fc.Arbitrary<OutcomesByKind> = fc.record(
  { tcp: outcome, wireguard: outcome, shadowsocks: outcome },
  { requiredKeys: [] },
);
const vantage: fc.Arbitrary<VantageReport> = fc.record(
  {
    id: fc.stringMatching(/^[a-z0-9-]{1,6}$/),
    isp: fc.constantFrom("", "mci", "tci", "rightel"),
    outcomes: fc.oneof(fc.constant(null), outcomes),
    error: fc.constantFrom("VANTAGE_TIMEOUT", "VANTAGE_CERT_MISMATCH", ""),
  },
  { requiredKeys: ["id", "isp", "outcomes"] },
);

test("property: every evidence a check records reads back as the findings it was written from", () => {
  fc.assert(
    fc.property(
      outcomes,
      fc.array(vantage, { maxLength: 8 }),
      fc.record({
        minAnswers: fc.integer({ min: 1, max: 4 }),
        failingToFilter: fc.integer({ min: 1, max: 4 }),
      }),
      (control, vantages, policy) => {
        const check = decideCheck(control, vantages, policy);
        if (check.evidence.length === MAX_EVIDENCE_LENGTH) return;
        assert.equal(findingsOf(check.evidence), check.findings, check.evidence);
      },
    ),
    { numRuns: 2_000 },
  );
});

test("a protocol blocked at one ISP reads back with its own findings and the server's", () => {
  const up = { ok: true, rttMs: 20 } as const;
  const dropped = {
    tcp: up,
    wireguard: { ok: false, error: "generic_timeout_error" },
    shadowsocks: up,
  };
  const check = decideCheck({ tcp: up, wireguard: up, shadowsocks: up }, [
    { id: "mci1", isp: "mci", outcomes: dropped },
    { id: "mci2", isp: "mci", outcomes: dropped },
  ]);
  assert.equal(findingsOf(check.evidence), {
    kind: "protocols",
    verdicts: [
      { protocol: "wireguard", verdict: "filtered" },
      { protocol: "shadowsocks", verdict: "ok" },
    ],
    blocked: [
      {
        protocol: "wireguard",
        findings: {
          kind: "filtered",
          groups: [
            {
              isp: "mci",
              failing: 2,
              answers: 2,
              failures: [{ kind: "wireguard", errors: ["generic_timeout_error"] }],
            },
          ],
        },
      },
    ],
    server: { kind: "answered", failing: 0, answers: 2, silence: null },
  });
});

test("a text that is not a check's own (an older wording, an admin's words, evidence cut short) is no findings", () => {
  const long = findingsText({
    kind: "filtered",
    groups: Array.from({ length: 30 }, (_, n) => ({
      isp: `isp-with-a-long-name-${n}`,
      failing: 2,
      answers: 2,
      failures: [{ kind: "tcp", errors: ["connection_reset"] }],
    })),
  });
  for (const text of [
    "recorded by an older node",
    "ok",
    "maintenance window",
    `${long.slice(0, MAX_EVIDENCE_LENGTH - 1)}…`,
    "down: control fails tcp (connection_refused); control  ok",
  ])
    assert.is(findingsOf(text), undefined, text);
});

test.run();
