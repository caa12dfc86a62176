/**
 * What a ban-check verdict does to a server: the counters that decide bans,
 * and whether its status must change. A pure decision; the caller applies it.
 *
 * - `filtered` counts towards a ban and breaks a run of `down`;
 * - `down` counts towards marking the server down and breaks a run of `filtered`;
 * - `ok` resets both and brings a `down` server back to `active`;
 * - `inconclusive` changes neither counter: too few probes answered to say anything.
 */
import type { CheckResult, ServerChecks, ServerStatus, Verdict } from "./records.ts";

/** How many recent verdicts a server keeps for admins to read. */
export const RECENT_VERDICTS_KEPT = 10;

/** Carried by each verdict command, so the leader's configuration decides. */
export interface VerdictThresholds {
  /** Consecutive `filtered` verdicts that ban the server. */
  banAfter: number;
  /** Consecutive `down` verdicts that mark it down. */
  downAfter: number;
}

/**
 * `ban`: the server is filtered and must be banned and its users re-homed.
 * `markDown`: an active server stopped answering. `recover`: a down server
 * answers again. Only `active` servers are marked down, so an admin's
 * `draining` is never overwritten; a banned server stays banned until an
 * admin lifts the ban.
 */
export type StatusTransition = "ban" | "markDown" | "recover" | "none";

/** The server's new checks and the status change they call for. */
export interface VerdictOutcome {
  checks: ServerChecks;
  transition: StatusTransition;
}

/** The server's checks after `result`, and the status change it calls for. */
export function applyVerdict(
  checks: ServerChecks,
  status: ServerStatus,
  result: CheckResult,
  thresholds: VerdictThresholds,
): VerdictOutcome {
  let { consecutiveFiltered, consecutiveDown } = checks;
  switch (result.verdict) {
    case "ok":
      consecutiveFiltered = 0;
      consecutiveDown = 0;
      break;
    case "filtered":
      consecutiveFiltered++;
      consecutiveDown = 0;
      break;
    case "down":
      consecutiveDown++;
      consecutiveFiltered = 0;
      break;
    case "inconclusive":
      break;
  }
  const recent = [...checks.recent, result].slice(-RECENT_VERDICTS_KEPT);
  const next: ServerChecks = {
    recent,
    lastRound: result.round,
    consecutiveFiltered,
    consecutiveDown,
    protocols: checks.protocols,
  };
  return { checks: next, transition: transitionFor(result.verdict, status, next, thresholds) };
}

function transitionFor(
  verdict: Verdict,
  status: ServerStatus,
  checks: ServerChecks,
  thresholds: VerdictThresholds,
): StatusTransition {
  if (status === "banned" || status === "removed") return "none";
  if (verdict === "filtered" && checks.consecutiveFiltered >= thresholds.banAfter) return "ban";
  if (verdict === "down" && status === "active" && checks.consecutiveDown >= thresholds.downAfter)
    return "markDown";
  if (verdict === "ok" && status === "down") return "recover";
  return "none";
}

/** A server's checks before any verdict. */
export function emptyChecks(): ServerChecks {
  return {
    recent: [],
    lastRound: null,
    consecutiveFiltered: 0,
    consecutiveDown: 0,
    protocols: [],
  };
}
