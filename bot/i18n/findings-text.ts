/**
 * A ban check's findings (bot/jobs/check-findings.ts) in an admin's
 * language: the catalog gives the phrases, this puts them together in the
 * findings' order. Probe kinds, failure names, ISP labels and vantage ids
 * stay as they are, set off as the language sets off technical words.
 */
import type { Verdict } from "../../cluster/fsm/records.ts";
import {
  type CheckFindings,
  type GroupFailures,
  type KindFailures,
  type Silence,
  UNNAMED_FAILURE,
  type VerdictFindings,
  verdictOf,
} from "../jobs/check-findings.ts";

/** How one language says findings. Counts are numbers: the phrase writes them. */
export interface FindingsPhrases {
  verdict: Record<Verdict, string>;
  /** Between the items of a list, and between clauses. */
  list: string;
  clauses: string;
  /** A technical word (failure name, ISP label, vantage id) inside the sentence. */
  token: (text: string) => string;
  /** A protocol or probe kind by its name. */
  protocol: (protocol: string) => string;
  /** A probe that failed without naming why. */
  unnamedFailure: string;
  /** `failures` failed at the control; `working` (if any) passed there. */
  controlFails: (failures: string, working: string | null) => string;
  controlSilent: string;
  controlOk: string;
  filteredAt: (isp: string, group: string) => string;
  filteredOverall: (group: string) => string;
  /** `failing` of `answers` vantages failed, with `failures`. */
  groupFails: (failing: number, answers: number, failures: string) => string;
  noVantages: string;
  tooFewAnswers: (answered: number, needed: number) => string;
  answeringFail: (failing: number, answers: number) => string;
  /** `silent` of `of` vantages gave no answer. */
  silence: (silent: number, of: number) => string;
  protocolVerdict: (protocol: string, verdict: string) => string;
  everyProtocolBlocked: string;
  protocolBlocked: (protocol: string, findings: string) => string;
  serverVerdict: (verdict: string, findings: string) => string;
}

function kindFailures(failures: readonly KindFailures[], say: FindingsPhrases): string {
  const failure = (error: string) =>
    error === UNNAMED_FAILURE ? say.unnamedFailure : say.token(error);
  return failures
    .map(({ kind, errors }) => `${say.protocol(kind)} (${errors.map(failure).join(say.list)})`)
    .join(say.list);
}

function group(failures: GroupFailures, say: FindingsPhrases): string {
  const found = say.groupFails(
    failures.failing,
    failures.answers,
    kindFailures(failures.failures, say),
  );
  return failures.isp === null
    ? say.filteredOverall(found)
    : say.filteredAt(say.token(failures.isp), found);
}

function silence(silent: Silence | null, say: FindingsPhrases): string[] {
  if (silent === null) return [];
  const reasons = silent.reasons.map(({ code, vantageIds }) =>
    say.token(`${code}: ${vantageIds.join(", ")}`),
  );
  const why = reasons.length > 0 ? ` (${reasons.join(say.clauses)})` : "";
  return [`${say.silence(silent.silent, silent.of)}${why}`];
}

function clauses(findings: VerdictFindings, say: FindingsPhrases): string[] {
  switch (findings.kind) {
    case "controlFails": {
      const working = findings.working.map(say.protocol).join(say.list);
      return [say.controlFails(kindFailures(findings.failed, say), working || null)];
    }
    case "controlSilent":
      return [say.controlSilent];
    case "filtered":
      return [...findings.groups.map((failures) => group(failures, say)), say.controlOk];
    case "noVantages":
      return [say.controlOk, say.noVantages];
    case "tooFewAnswers":
      return [
        say.tooFewAnswers(findings.answered, findings.needed),
        ...silence(findings.silence, say),
        say.controlOk,
      ];
    case "answered":
      return [
        say.answeringFail(findings.failing, findings.answers),
        ...silence(findings.silence, say),
        say.controlOk,
      ];
  }
}

const sentence = (findings: VerdictFindings, say: FindingsPhrases) =>
  clauses(findings, say).join(say.clauses);

/** What `findings` found, without the verdict they lead to. */
export function describeFindings(findings: CheckFindings, say: FindingsPhrases): string {
  if (findings.kind !== "protocols") return sentence(findings, say);
  const verdicts = findings.verdicts
    .map(({ protocol, verdict }) =>
      say.protocolVerdict(say.protocol(protocol), say.verdict[verdict]),
    )
    .join(say.list);
  const blocked = findings.blocked.map(({ protocol, findings: found }) =>
    say.protocolBlocked(say.protocol(protocol), sentence(found, say)),
  );
  const server =
    findings.server === null
      ? say.everyProtocolBlocked
      : say.serverVerdict(say.verdict[verdictOf(findings.server)], sentence(findings.server, say));
  return [verdicts, ...blocked, server].join(say.clauses);
}
