/**
 * `npm run record-state-version-log`: records the log of this release's
 * state version (scripts/simulation/state-version-log.ts) into
 * test/cluster/fsm/state-version-logs/, once, when STATE_VERSION is raised.
 *
 * A version's log is what the nodes of that version did, so it is never
 * recorded again: when the file exists, this refuses (exit 1) and writes
 * nothing. A release that cannot replay an earlier version's log applies
 * that version's entries differently, and must not ship.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { ControlPlaneState } from "../cluster/fsm/control-plane.ts";
import { STATE_VERSION } from "../cluster/fsm/state-version.ts";
import {
  formatStateVersionLog,
  recordStateVersionLog,
  stateVersionLogPath,
} from "./simulation/state-version-log.ts";

/**
 * Enough entries that nearly every command takes effect, most of them many
 * times (of version 1's, all but a join token's redemption and a failed
 * delivery, which need state the random workload seldom builds).
 */
const ENTRY_COUNT = 1_500;
const WORKLOAD_SEED = 1;

const path = fileURLToPath(stateVersionLogPath(STATE_VERSION));
if (existsSync(path)) {
  process.stderr.write(
    `${path} exists: state version ${STATE_VERSION}'s log is what its nodes did, and is never recorded again\n`,
  );
  process.exit(1);
}
const log = recordStateVersionLog(new ControlPlaneState(), WORKLOAD_SEED, ENTRY_COUNT);
mkdirSync(dirname(path), { recursive: true });
writeFileSync(path, formatStateVersionLog(log));
const refused = log.entries.filter((entry) => entry.outcome !== "ok").length;
process.stdout.write(
  `recorded ${log.entries.length} entries (${refused} refused) of state version ${STATE_VERSION} in ${path}\n`,
);
