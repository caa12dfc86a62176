/**
 * What a ban check found, as data, and the evidence text it is recorded as.
 * The verdicts (ban-verdict.ts, protocol-verdicts.ts) build findings; the
 * state records their text, in English, as the admin API shows it; the bot
 * reads a recorded text back (findingsOf) to say it in an admin's language.
 *
 * The text is a small grammar of our own, e.g.
 * `filtered at ISP mci: 2/3 vantages fail wireguard (generic_timeout_error); control ok`.
 * Probe kinds, failure names, ISP labels and vantage ids are technical tokens
 * without spaces; they stay as they are in every language.
 */
import type { ProtocolVerdict, Verdict } from "../../cluster/fsm/records.ts";

/** The failure name of a probe that failed without naming why. */
export const UNNAMED_FAILURE = "no reason given";

/** One probe kind that failed, with the failure names seen, in the order written. */
export interface KindFailures {
  kind: string;
  errors: string[];
}

/** The vantages of one ISP (`isp`), or all of them together (`isp` null), that failed. */
export interface GroupFailures {
  isp: string | null;
  failing: number;
  answers: number;
  failures: KindFailures[];
}

/** The vantages that gave no outcome at all, and why, by the client's code. */
export interface Silence {
  silent: number;
  of: number;
  reasons: { code: string; vantageIds: string[] }[];
}

/** The findings of one verdict over a set of probe kinds (see ban-verdict.ts). */
export type VerdictFindings =
  /** `down`: probes that failed at the control, and those that passed there. */
  | { kind: "controlFails"; failed: KindFailures[]; working: string[] }
  /** `inconclusive`: the control got no answer at all. */
  | { kind: "controlSilent" }
  /** `filtered`: each ISP group that filtered, or all vantages together (one group, isp null). */
  | { kind: "filtered"; groups: GroupFailures[] }
  /** `ok`: the control passed and no vantage probe is configured. */
  | { kind: "noVantages" }
  /** `inconclusive`: too few vantages answered. */
  | { kind: "tooFewAnswers"; answered: number; needed: number; silence: Silence | null }
  /** `ok`: enough vantages answered and too few failed to filter. */
  | { kind: "answered"; failing: number; answers: number; silence: Silence | null };

/** The findings of a server judged per protocol (see protocol-verdicts.ts). */
export interface ProtocolFindings {
  kind: "protocols";
  verdicts: { protocol: string; verdict: ProtocolVerdict }[];
  /** The protocols filtered, each with its own findings. */
  blocked: { protocol: string; findings: VerdictFindings }[];
  /** The server's own findings from the probes that remain; null when every protocol is blocked. */
  server: VerdictFindings | null;
}

export type CheckFindings = VerdictFindings | ProtocolFindings;

const VERDICT_OF: Record<VerdictFindings["kind"], Verdict> = {
  controlFails: "down",
  controlSilent: "inconclusive",
  filtered: "filtered",
  noVantages: "ok",
  tooFewAnswers: "inconclusive",
  answered: "ok",
};

/** The verdict findings lead to. */
export function verdictOf(findings: CheckFindings): Verdict {
  if (findings.kind !== "protocols") return VERDICT_OF[findings.kind];
  return findings.server === null ? "filtered" : verdictOf(findings.server);
}

const LIST = ", ";
const CLAUSES = "; ";
const CONTROL_SILENT = "inconclusive: the control probes gave no answer";
const NO_VANTAGES = "ok: control ok; no vantage probes configured";
const EVERY_PROTOCOL_BLOCKED = "every protocol is blocked: ";

const kindFailuresText = (failures: readonly KindFailures[]) =>
  failures.map(({ kind, errors }) => `${kind} (${errors.join(LIST)})`).join(LIST);

const groupText = (group: GroupFailures) =>
  `${group.failing}/${group.answers} vantages fail ${kindFailuresText(group.failures)}`;

function silenceText(silence: Silence | null): string {
  if (silence === null) return "";
  const reasons = silence.reasons
    .map(({ code, vantageIds }) => `${code}: ${vantageIds.join(LIST)}`)
    .join(CLAUSES);
  return `, ${silence.silent} of ${silence.of} gave no answer${reasons ? ` (${reasons})` : ""}`;
}

function verdictText(findings: VerdictFindings): string {
  switch (findings.kind) {
    case "controlFails": {
      const working =
        findings.working.length > 0 ? `; control ${findings.working.join(LIST)} ok` : "";
      return `down: control fails ${kindFailuresText(findings.failed)}${working}`;
    }
    case "controlSilent":
      return CONTROL_SILENT;
    case "filtered": {
      const [first] = findings.groups;
      if (first?.isp === null) return `filtered overall: ${groupText(first)}; control ok`;
      const groups = findings.groups.map((group) => `at ISP ${group.isp}: ${groupText(group)}`);
      return `filtered ${groups.join(CLAUSES)}; control ok`;
    }
    case "noVantages":
      return NO_VANTAGES;
    case "tooFewAnswers":
      return `inconclusive: ${findings.answered} vantages answered, ${findings.needed} needed${silenceText(findings.silence)}; control ok`;
    case "answered":
      return `ok: ${findings.failing}/${findings.answers} answering vantages fail${silenceText(findings.silence)}; control ok`;
  }
}

/** The evidence text findings are recorded as (before the verdict command's length limit). */
export function findingsText(findings: CheckFindings): string {
  if (findings.kind !== "protocols") return verdictText(findings);
  const summary = findings.verdicts
    .map(({ protocol, verdict }) => `${protocol}: ${verdict}`)
    .join(LIST);
  const blocked = findings.blocked.map(
    ({ protocol, findings: found }) => `${protocol} ${verdictText(found)}`,
  );
  if (findings.server === null)
    return `${summary}${CLAUSES}${EVERY_PROTOCOL_BLOCKED}${blocked.join(CLAUSES)}`;
  return [summary, ...blocked, `server ${verdictText(findings.server)}`].join(CLAUSES);
}

const count = (digits: string | undefined) => Number(digits);

function kindFailuresOf(text: string): KindFailures[] {
  return [...text.matchAll(/([a-z]+) \(([^()]*)\)/g)].map((match) => ({
    kind: match[1]!,
    errors: match[2]!.split(LIST),
  }));
}

function groupOf(isp: string | null, text: string): GroupFailures | undefined {
  const match = /^(\d+)\/(\d+) vantages fail (.*)$/.exec(text);
  if (!match) return undefined;
  const failures = kindFailuresOf(match[3]!);
  return { isp, failing: count(match[1]), answers: count(match[2]), failures };
}

function silenceOf(text: string): Silence | null {
  const match = /^, (\d+) of (\d+) gave no answer(?: \((.*)\))?$/.exec(text);
  if (!match) return null;
  const reasons = (match[3] ?? "")
    .split(CLAUSES)
    .filter((part) => part !== "")
    .map((part) => {
      const [code = "", ids = ""] = part.split(": ");
      return { code, vantageIds: ids.split(LIST) };
    });
  return { silent: count(match[1]), of: count(match[2]), reasons };
}

function verdictFindingsOf(text: string): VerdictFindings | undefined {
  if (text === CONTROL_SILENT) return { kind: "controlSilent" };
  if (text === NO_VANTAGES) return { kind: "noVantages" };
  let match = /^down: control fails (.*?)(?:; control ([a-z]+(?:, [a-z]+)*) ok)?$/.exec(text);
  if (match)
    return {
      kind: "controlFails",
      failed: kindFailuresOf(match[1]!),
      working: match[2] === undefined ? [] : match[2].split(LIST),
    };
  match = /^filtered overall: (.*); control ok$/.exec(text);
  const overall = match && groupOf(null, match[1]!);
  if (overall) return { kind: "filtered", groups: [overall] };
  match = /^filtered (at ISP .*); control ok$/.exec(text);
  if (match) {
    const groups = match[1]!.split(CLAUSES).map((part) => {
      const group = /^at ISP ([^ :]*): (.*)$/.exec(part);
      return group ? groupOf(group[1]!, group[2]!) : undefined;
    });
    if (groups.every((group) => group !== undefined)) return { kind: "filtered", groups };
  }
  match = /^inconclusive: (\d+) vantages answered, (\d+) needed(.*); control ok$/.exec(text);
  if (match)
    return {
      kind: "tooFewAnswers",
      answered: count(match[1]),
      needed: count(match[2]),
      silence: silenceOf(match[3]!),
    };
  match = /^ok: (\d+)\/(\d+) answering vantages fail(.*); control ok$/.exec(text);
  if (match)
    return {
      kind: "answered",
      failing: count(match[1]),
      answers: count(match[2]),
      silence: silenceOf(match[3]!),
    };
  return undefined;
}

const PROTOCOL_VERDICTS =
  /^([a-z]+: (?:ok|filtered|inconclusive)(?:, [a-z]+: (?:ok|filtered|inconclusive))*); (.*)$/;

function blockedOf(text: string): ProtocolFindings["blocked"] {
  return [...text.matchAll(/([a-z]+) (filtered .*?; control ok)(?=; |$)/g)].flatMap((match) => {
    const findings = verdictFindingsOf(match[2]!);
    return findings ? [{ protocol: match[1]!, findings }] : [];
  });
}

function protocolFindingsOf(text: string): ProtocolFindings | undefined {
  const match = PROTOCOL_VERDICTS.exec(text);
  if (!match) return undefined;
  const verdicts = match[1]!.split(LIST).map((part) => {
    const [protocol = "", verdict] = part.split(": ");
    return { protocol, verdict: verdict as ProtocolVerdict };
  });
  const rest = match[2]!;
  if (rest.startsWith(EVERY_PROTOCOL_BLOCKED))
    return {
      kind: "protocols",
      verdicts,
      blocked: blockedOf(rest.slice(EVERY_PROTOCOL_BLOCKED.length)),
      server: null,
    };
  const serverAt = rest.lastIndexOf("server ");
  const server = serverAt < 0 ? undefined : verdictFindingsOf(rest.slice(serverAt + 7));
  if (!server) return undefined;
  return { kind: "protocols", verdicts, blocked: blockedOf(rest.slice(0, serverAt)), server };
}

/**
 * The findings a recorded evidence text says, or undefined for any other
 * text (an older node's wording, an admin's words, evidence cut at the
 * command's length limit). Only a text that reads back exactly is taken.
 */
export function findingsOf(text: string): CheckFindings | undefined {
  const findings = protocolFindingsOf(text) ?? verdictFindingsOf(text);
  return findings !== undefined && findingsText(findings) === text ? findings : undefined;
}
