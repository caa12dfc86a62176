/**
 * A recorded log of one state version: commands as a cluster of that
 * version committed them (a seeded workload, with reports forwarded by
 * followers), what apply answered to each, and the state they left as that
 * version's snapshot. A release must apply every earlier version's entries
 * as that version did, or the members of a cluster being upgraded one at a
 * time would hold different states; replaying each version's log
 * (test/cluster/fsm/state-version-log.test.ts) is how that is checked.
 */
import { z } from "zod";
import type { StateMachine } from "../../cluster/state-machine.ts";
import { controlPlaneWorkload, ownServerReport } from "./control-plane-workload.ts";

export interface LoggedEntry {
  index: number;
  command: string;
  /** The follower that forwarded it; absent when the leader proposed it. */
  forwardedBy?: string;
  /** What apply answered: "ok", or the code it refused the command with. */
  outcome: string;
}

export interface StateVersionLog {
  stateVersion: number;
  entries: LoggedEntry[];
  /** The state after the last entry, as that version's `snapshot()` wrote it. */
  snapshot: string;
}

const stateVersionLogSchema = z.strictObject({
  stateVersion: z.int().positive(),
  entries: z
    .array(
      z.strictObject({
        index: z.int().positive(),
        command: z.string(),
        forwardedBy: z.string().min(1).optional(),
        outcome: z.string().min(1),
      }),
    )
    .min(1),
  snapshot: z.string(),
});

/** Where the log of `stateVersion` is kept. */
export function stateVersionLogPath(stateVersion: number): URL {
  return new URL(
    `../../test/cluster/fsm/state-version-logs/version-${stateVersion}.json`,
    import.meta.url,
  );
}

/** Reads a log file's text; throws, saying what is wrong, for anything else. */
export function parseStateVersionLog(text: string): StateVersionLog {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`not a state version log: ${(error as Error).message}`);
  }
  const parsed = stateVersionLogSchema.safeParse(json);
  if (!parsed.success) {
    throw new Error(`not a state version log: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

/** The file text of a log: one entry a line, so that a diff shows which entries changed. */
export function formatStateVersionLog(log: StateVersionLog): string {
  const entries = log.entries.map((entry) => `    ${JSON.stringify(entry)}`).join(",\n");
  return `{\n  "stateVersion": ${log.stateVersion},\n  "entries": [\n${entries}\n  ],\n  "snapshot": ${JSON.stringify(log.snapshot)}\n}\n`;
}

/** What a state machine's apply returns, as far as a log records it. */
type Outcome = { ok: true } | { ok: false; error: { code: string } };

/** A machine a log replays on: one that hashes its state (as ControlPlaneState.stateHash does). */
export type ReplayMachine = StateMachine<Outcome> & { stateHash(): string };

/** Every how many entries a follower's report about its own server is forwarded. */
const FORWARDED_EVERY = 10;
const FOLLOWERS = ["n2", "n3"] as const;

/** Applies a seeded workload of `entryCount` entries to a fresh `machine` and records it. */
export function recordStateVersionLog(
  machine: StateMachine<Outcome>,
  seed: number,
  entryCount: number,
): StateVersionLog {
  const workload = controlPlaneWorkload(seed);
  const entries: LoggedEntry[] = [];
  for (let index = 1; index <= entryCount; index++) {
    const follower = FOLLOWERS[Math.floor(index / FORWARDED_EVERY) % FOLLOWERS.length]!;
    const entry: Omit<LoggedEntry, "outcome"> =
      index % FORWARDED_EVERY === 0
        ? { index, command: ownServerReport(follower, index), forwardedBy: follower }
        : { index, command: workload.next() };
    entries.push({ ...entry, outcome: outcomeOf(applyEntry(machine, entry)) });
  }
  return { stateVersion: machine.version, entries, snapshot: machine.snapshot() };
}

/** A way in which a release's replay of a log differs from what the log's version did. */
export type ReplayDifference =
  | { kind: "outcome"; index: number; command: string; recorded: string; replayed: string }
  | { kind: "state"; replayedHash: string; recordedHash: string };

/**
 * Replays `log` on a new, empty machine of this release and compares: each
 * entry's outcome, and the state left against the recorded snapshot as a
 * second new machine of this release restores it, so that a field a later
 * version added with an empty default is no difference.
 */
export function replayStateVersionLog(
  log: StateVersionLog,
  newMachine: () => ReplayMachine,
): ReplayDifference[] {
  const differences: ReplayDifference[] = [];
  const replayed = newMachine();
  for (const entry of log.entries) {
    const outcome = outcomeOf(applyEntry(replayed, entry));
    if (outcome !== entry.outcome) {
      differences.push({
        kind: "outcome",
        index: entry.index,
        command: entry.command,
        recorded: entry.outcome,
        replayed: outcome,
      });
    }
  }
  const restored = newMachine();
  restored.restore(log.snapshot);
  const replayedHash = replayed.stateHash();
  const recordedHash = restored.stateHash();
  if (replayedHash !== recordedHash)
    differences.push({ kind: "state", replayedHash, recordedHash });
  return differences;
}

function applyEntry(
  machine: StateMachine<Outcome>,
  entry: Pick<LoggedEntry, "index" | "command" | "forwardedBy">,
): Outcome {
  return machine.apply(entry.command, entry.index, entry.forwardedBy);
}

function outcomeOf(result: Outcome): string {
  return result.ok ? "ok" : result.error.code;
}
