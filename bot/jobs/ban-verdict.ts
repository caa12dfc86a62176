/**
 * The verdict of one ban-check round for one server, from what the control
 * (the leader, outside the censored network) and the vantage probes (inside
 * it) saw. A pure decision; the job that probes commits it through Raft.
 *
 * The rules, in the order they apply:
 *
 * 1. The control decides whether the vantages' answers mean anything. A probe
 *    kind the control got no answer for says nothing, at the control or at any
 *    vantage. If the control got no answer for any kind, the round is
 *    `inconclusive`: nothing is known about the server.
 * 2. Any probe kind that fails at the control makes the server `down`, even
 *    when another kind succeeds there (the API port answers but the WireGuard
 *    handshake does not): the control is outside the censored network, so the
 *    failure is the server's own and its VPN is broken for everyone. Counting
 *    the vantages' failures of that kind as filtering would ban a server that
 *    only needs fixing; `down` takes it out of placement and brings it back on
 *    its own once it answers again, a ban does not.
 * 3. A vantage "answers" when it gave an outcome for at least one kind the
 *    control saw succeed, and "fails" when any of those outcomes failed (so a
 *    block of the WireGuard handshake alone counts). A vantage the ban check
 *    could not reach, or that answered badly, does not answer.
 * 4. Answering vantages are grouped by ISP label, and all of them together
 *    form one more group (the only one for vantages without a label). A group
 *    is filtered when it has at least `minAnswers` answers, at least
 *    `failingToFilter` of them fail, and the failing ones are a majority of
 *    its answers. A block at one ISP only is found in that ISP's group; one
 *    flaky vantage can never reach `failingToFilter` (at least 2 by default),
 *    and a couple of flaky ones among many healthy ones are never a majority.
 *    Any filtered group makes the server `filtered`.
 * 5. Otherwise, with no vantage probes configured the control alone decides:
 *    `ok`. With fewer than `minAnswers` answers in all (so in every group),
 *    the round is `inconclusive`, which never counts towards a ban. Else `ok`.
 */
import { MAX_ISP_VERDICTS } from "../../cluster/fsm/hourly-history.ts";
import type { IspVerdict, Verdict } from "../../cluster/fsm/records.ts";
import type { ProbeOutcome, ProbeProtocol } from "../../shared/probe/probe-request.ts";
import {
  findingsText,
  type GroupFailures,
  type KindFailures,
  type Silence,
  UNNAMED_FAILURE,
  type VerdictFindings,
  verdictOf,
} from "./check-findings.ts";

/** One probe kind's outcome, or null when that probe gave no answer at all. */
export type ProbeAnswer = ProbeOutcome | null;

/** Outcomes by probe kind; a kind that was not run is absent. */
export type OutcomesByKind = Partial<Record<ProbeProtocol, ProbeAnswer>>;

/** What one vantage probe reported this round. */
export interface VantageReport {
  id: string;
  /** The vantage's ISP label, compared exactly; '' when unknown. */
  isp: string;
  /** Its outcomes by kind; null when the vantage could not be reached or answered badly. */
  outcomes: OutcomesByKind | null;
  /**
   * Why there are no outcomes, as the client's code (`VANTAGE_CERT_MISMATCH`,
   * `VANTAGE_TIMEOUT`...); named in the evidence so admins see it.
   */
  error?: string;
}

/** How much agreement a `filtered` verdict needs (see rule 4 above). */
export interface VerdictPolicy {
  /** Fewest answering vantages a group needs before it can say anything (M); at least 1. */
  minAnswers: number;
  /** Fewest failing vantages in a group that make it filtered (K); at least 2 keeps one flaky vantage harmless. */
  failingToFilter: number;
}

/** Two vantages of one ISP failing together, and not outnumbered by healthy ones, filter. */
export const DEFAULT_VERDICT_POLICY: VerdictPolicy = { minAnswers: 2, failingToFilter: 2 };

/** One server's verdict for one round, with what led to it. */
export interface ServerVerdict {
  verdict: Verdict;
  /** The ISP labels whose group was filtered, sorted; empty when only all vantages together were. */
  filteredIsps: string[];
  /**
   * Each ISP group's own verdict, sorted by label: `filtered` as rule 4 says,
   * `ok` with enough answers otherwise, `inconclusive` with too few. Empty when
   * the control decided alone (down, or no answer) or no vantage has a label;
   * the first {@link MAX_ISP_VERDICTS} labels only.
   */
  ispVerdicts: { isp: string; verdict: IspVerdict }[];
  /** What led to the verdict, as data (check-findings.ts). */
  findings: VerdictFindings;
  /** The findings' text for admins, at most {@link MAX_EVIDENCE_LENGTH} characters. */
  evidence: string;
}

/** What a verdict command carries at most. */
export const MAX_EVIDENCE_LENGTH = 500;

/** Kinds in a fixed order, so evidence reads the same whatever order outcomes arrived in. */
function sortedKinds(outcomes: OutcomesByKind): ProbeProtocol[] {
  return (Object.keys(outcomes) as ProbeProtocol[]).sort();
}

/** An answering vantage, reduced to what the grouping needs. */
interface Answer {
  isp: string;
  /** The failed kinds (among those the control saw succeed) and their failures. */
  failures: { kind: ProbeProtocol; error: string }[];
}

/** What vantage agents name their failures is not ours to trust: keep it short and plain. */
function plainFailureName(error: string | undefined): string {
  if (error === undefined || error === "") return UNNAMED_FAILURE;
  return error.replace(/[^A-Za-z0-9_.:-]/g, "_").slice(0, 48);
}

function answerOf(report: VantageReport, controlOk: readonly ProbeProtocol[]): Answer | null {
  if (report.outcomes === null) return null;
  let answered = false;
  const failures: Answer["failures"] = [];
  for (const kind of controlOk) {
    const outcome = report.outcomes[kind];
    if (outcome === undefined || outcome === null) continue;
    answered = true;
    if (!outcome.ok) failures.push({ kind, error: plainFailureName(outcome.error) });
  }
  return answered ? { isp: report.isp, failures } : null;
}

/** Whether a group's answers call it filtered under `policy`. */
function groupFiltered(answers: readonly Answer[], policy: VerdictPolicy): boolean {
  const failing = answers.filter((answer) => answer.failures.length > 0).length;
  return (
    answers.length >= policy.minAnswers &&
    failing >= policy.failingToFilter &&
    failing * 2 > answers.length
  );
}

/** Each failed kind with its failure names, both sorted: `wireguard (generic_timeout_error)`. */
function kindFailures(answers: readonly Answer[]): KindFailures[] {
  const errorsByKind = new Map<ProbeProtocol, Set<string>>();
  for (const { failures } of answers) {
    for (const { kind, error } of failures) {
      const errors = errorsByKind.get(kind) ?? new Set<string>();
      errors.add(error);
      errorsByKind.set(kind, errors);
    }
  }
  return [...errorsByKind.keys()]
    .sort()
    .map((kind) => ({ kind, errors: [...errorsByKind.get(kind)!].sort() }));
}

/** `3/3 vantages fail wireguard (generic_timeout_error)`, of one ISP or (isp null) of all. */
function groupFailures(isp: string | null, answers: readonly Answer[]): GroupFailures {
  const failing = answers.filter((answer) => answer.failures.length > 0);
  return { isp, failing: failing.length, answers: answers.length, failures: kindFailures(failing) };
}

/**
 * The vantages that gave no outcome at all, and why, by code (ids sorted);
 * null when every vantage answered.
 */
function silenceOf(vantages: readonly VantageReport[], answers: number): Silence | null {
  if (answers === vantages.length) return null;
  const idsByError = new Map<string, string[]>();
  for (const report of vantages) {
    if (report.outcomes !== null || report.error === undefined || report.error === "") continue;
    const error = plainFailureName(report.error);
    idsByError.set(error, [...(idsByError.get(error) ?? []), report.id]);
  }
  const reasons = [...idsByError.keys()]
    .sort()
    .map((code) => ({ code, vantageIds: idsByError.get(code)!.sort() }));
  return { silent: vantages.length - answers, of: vantages.length, reasons };
}

/** `evidence` cut to what a verdict command carries. */
export function limited(evidence: string): string {
  return evidence.length <= MAX_EVIDENCE_LENGTH
    ? evidence
    : `${evidence.slice(0, MAX_EVIDENCE_LENGTH - 1)}…`;
}

/**
 * The evidence without the verdict it opens with ("ok: control ok" -> "control
 * ok"), for replies that name the verdict already.
 */
export function evidenceDetail(verdict: string, evidence: string): string {
  const rest = evidence.startsWith(verdict) ? evidence.slice(verdict.length) : evidence;
  return rest.replace(/^:?\s*/, "") || evidence;
}

function decided(
  findings: VerdictFindings,
  ispVerdicts: ServerVerdict["ispVerdicts"] = [],
): ServerVerdict {
  const filteredIsps = ispVerdicts
    .filter((group) => group.verdict === "filtered")
    .map((group) => group.isp);
  return {
    verdict: verdictOf(findings),
    filteredIsps,
    ispVerdicts: ispVerdicts.slice(0, MAX_ISP_VERDICTS),
    findings,
    evidence: limited(findingsText(findings)),
  };
}

/** One ISP group's verdict under `policy`. */
function ispVerdict(answers: readonly Answer[], policy: VerdictPolicy): IspVerdict {
  if (groupFiltered(answers, policy)) return "filtered";
  return answers.length >= policy.minAnswers ? "ok" : "inconclusive";
}

/**
 * Decides one server's verdict for one round from the control's outcomes
 * and every configured vantage's report (see the rules at the top of this
 * file). Deterministic: the same inputs give the same verdict and evidence.
 */
export function decideVerdict(
  control: OutcomesByKind,
  vantages: readonly VantageReport[],
  policy: VerdictPolicy = DEFAULT_VERDICT_POLICY,
): ServerVerdict {
  const kinds = sortedKinds(control);
  const controlOk = kinds.filter((kind) => control[kind]?.ok === true);
  const controlFailed = kinds.filter((kind) => control[kind]?.ok === false);

  if (controlFailed.length > 0) {
    const failed = controlFailed.map((kind) => ({
      kind,
      errors: [plainFailureName(control[kind]?.error)],
    }));
    return decided({ kind: "controlFails", failed, working: controlOk });
  }
  if (controlOk.length === 0) return decided({ kind: "controlSilent" });

  const answers = vantages
    .map((report) => answerOf(report, controlOk))
    .filter((answer): answer is Answer => answer !== null);
  const byIsp = new Map<string, Answer[]>();
  for (const answer of answers) {
    if (answer.isp === "") continue;
    byIsp.set(answer.isp, [...(byIsp.get(answer.isp) ?? []), answer]);
  }
  const ispVerdicts = [...byIsp.keys()]
    .sort()
    .map((isp) => ({ isp, verdict: ispVerdict(byIsp.get(isp)!, policy) }));
  const filteredIsps = ispVerdicts
    .filter((group) => group.verdict === "filtered")
    .map((group) => group.isp);
  if (filteredIsps.length > 0) {
    const groups = filteredIsps.map((isp) => groupFailures(isp, byIsp.get(isp)!));
    return decided({ kind: "filtered", groups }, ispVerdicts);
  }
  if (groupFiltered(answers, policy))
    return decided({ kind: "filtered", groups: [groupFailures(null, answers)] }, ispVerdicts);

  if (vantages.length === 0) return decided({ kind: "noVantages" });
  const silence = silenceOf(vantages, answers.length);
  if (answers.length < policy.minAnswers) {
    return decided(
      { kind: "tooFewAnswers", answered: answers.length, needed: policy.minAnswers, silence },
      ispVerdicts,
    );
  }
  const failing = answers.filter((answer) => answer.failures.length > 0).length;
  return decided({ kind: "answered", failing, answers: answers.length, silence }, ispVerdicts);
}
