/**
 * Verdicts per protocol, for a server that offers more than one (WireGuard
 * and Shadowsocks): a censor may drop WireGuard's handshakes by their shape
 * and let Shadowsocks through, and then the server is not blocked, one of
 * its protocols is. A pure decision over the same outcomes as
 * ban-verdict.ts, whose rules it applies to each protocol alone:
 *
 * 1. Whatever fails at the control makes the server `down`, and a control
 *    without any answer makes the round `inconclusive`, as for a server with
 *    one protocol; no protocol is judged then.
 * 2. Each protocol the control probed gets its own verdict from that
 *    protocol's outcomes only: `filtered` (with the ISPs) when a vantage
 *    group fails it by the usual agreement, `ok`, or `inconclusive`. So a
 *    flapping vantage can no more filter a protocol than a server.
 * 3. When every protocol is filtered, the server is `filtered`: its address
 *    is blocked (or everything it offers is), as before.
 * 4. Otherwise the server's own verdict comes from the probes that remain
 *    (the node's port and the protocols that were not filtered), so a
 *    protocol blocked by shape never bans the server; the evidence starts
 *    with every protocol's verdict (`wireguard: filtered, shadowsocks: ok`).
 *
 * A server with a single protocol is judged as a whole (ban-verdict.ts) and
 * gets no protocol verdicts: its protocol blocked is the server blocked.
 */
import {
  OFFERED_PROTOCOLS,
  type OfferedProtocol,
  type ProtocolVerdict,
} from "../../cluster/fsm/records.ts";
import {
  DEFAULT_VERDICT_POLICY,
  decideVerdict,
  limited,
  type OutcomesByKind,
  type ServerVerdict,
  type VantageReport,
  type VerdictPolicy,
} from "./ban-verdict.ts";
import { type CheckFindings, findingsText } from "./check-findings.ts";

/** One protocol's verdict on one server for one round. */
export interface ProtocolCheck {
  protocol: OfferedProtocol;
  verdict: ProtocolVerdict;
  /** The ISP labels whose group failed it, sorted; empty when only all vantages together did. */
  filteredIsps: string[];
}

/** A server's verdict with its protocols' verdicts (none for a server with one protocol). */
export interface CheckVerdict extends Omit<ServerVerdict, "findings"> {
  findings: CheckFindings;
  protocols: ProtocolCheck[];
}

function only(outcomes: OutcomesByKind, kinds: ReadonlySet<string>): OutcomesByKind {
  return Object.fromEntries(Object.entries(outcomes).filter(([kind]) => kinds.has(kind)));
}

function onlyAt(vantages: readonly VantageReport[], kinds: ReadonlySet<string>): VantageReport[] {
  return vantages.map((report) =>
    report.outcomes === null ? report : { ...report, outcomes: only(report.outcomes, kinds) },
  );
}

/** A protocol's verdict: `down` cannot happen here, the control passed every kind. */
function protocolVerdictOf(verdict: ServerVerdict): ProtocolVerdict {
  return verdict.verdict === "down" ? "inconclusive" : verdict.verdict;
}

/**
 * Decides the server's verdict and, when it offers more than one protocol,
 * each protocol's (see the rules at the top of this file). Deterministic.
 */
export function decideCheck(
  control: OutcomesByKind,
  vantages: readonly VantageReport[],
  policy: VerdictPolicy = DEFAULT_VERDICT_POLICY,
): CheckVerdict {
  const whole = decideVerdict(control, vantages, policy);
  const offered = OFFERED_PROTOCOLS.filter((protocol) => control[protocol] !== undefined);
  const controlPassed = Object.values(control).every((outcome) => outcome?.ok !== false);
  const controlAnswered = Object.values(control).some((outcome) => outcome?.ok === true);
  if (offered.length < 2 || !controlPassed || !controlAnswered) return { ...whole, protocols: [] };

  const judged = offered.map((protocol) => {
    const kinds = new Set([protocol]);
    const verdict = decideVerdict(only(control, kinds), onlyAt(vantages, kinds), policy);
    return { protocol, verdict };
  });
  const protocols: ProtocolCheck[] = judged.map(({ protocol, verdict }) => ({
    protocol,
    verdict: protocolVerdictOf(verdict),
    filteredIsps: verdict.filteredIsps,
  }));
  const filtered = judged.filter(({ verdict }) => verdict.verdict === "filtered");
  const verdicts = protocols.map(({ protocol, verdict }) => ({ protocol, verdict }));
  const blocked = filtered.map(({ protocol, verdict }) => ({
    protocol,
    findings: verdict.findings,
  }));

  if (filtered.length === offered.length) {
    const filteredIsps = [
      ...new Set(filtered.flatMap(({ verdict }) => verdict.filteredIsps)),
    ].sort();
    // Each ISP group once: filtered where some protocol's check filtered it.
    const ispVerdicts = new Map<string, ServerVerdict["ispVerdicts"][number]>();
    for (const { verdict } of filtered)
      for (const group of verdict.ispVerdicts)
        if (group.verdict === "filtered" || !ispVerdicts.has(group.isp))
          ispVerdicts.set(group.isp, group);
    const findings: CheckFindings = { kind: "protocols", verdicts, blocked, server: null };
    return {
      verdict: "filtered",
      filteredIsps,
      ispVerdicts: [...ispVerdicts.values()],
      findings,
      evidence: limited(findingsText(findings)),
      protocols,
    };
  }
  const blockedKinds = new Set<string>(filtered.map(({ protocol }) => protocol));
  const rest = new Set(Object.keys(control).filter((kind) => !blockedKinds.has(kind)));
  const address = decideVerdict(only(control, rest), onlyAt(vantages, rest), policy);
  const findings: CheckFindings = {
    kind: "protocols",
    verdicts,
    blocked,
    server: address.findings,
  };
  return { ...address, findings, evidence: limited(findingsText(findings)), protocols };
}
