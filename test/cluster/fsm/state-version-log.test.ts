import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ControlPlaneState } from "../../../cluster/fsm/control-plane.ts";
import { STATE_VERSION } from "../../../cluster/fsm/state-version.ts";
import {
  parseStateVersionLog,
  type ReplayDifference,
  replayStateVersionLog,
  stateVersionLogPath,
} from "../../../scripts/simulation/state-version-log.ts";

/**
 * Members of a cluster are upgraded one at a time, so a release applies the
 * entries that earlier versions wrote. It must apply them as those versions
 * did: each version's recorded log replays here, entry by entry, to the same
 * outcomes and the same state.
 */

const versions = Array.from({ length: STATE_VERSION }, (_, position) => position + 1);

test("a log is recorded for every state version up to this release's", () => {
  const missing = versions.filter(
    (version) => !existsSync(fileURLToPath(stateVersionLogPath(version))),
  );
  assert.equal(
    missing,
    [],
    "no log for state version(s) " +
      missing.join(", ") +
      ": run `npm run record-state-version-log` once, when STATE_VERSION is raised",
  );
});

for (const version of versions) {
  test(`this release applies version ${version}'s entries as version ${version} did`, () => {
    const path = fileURLToPath(stateVersionLogPath(version));
    if (!existsSync(path)) return; // reported by the test above
    const log = parseStateVersionLog(readFileSync(path, "utf8"));
    assert.is(log.stateVersion, version, `${path} holds another version's log`);
    const differences = replayStateVersionLog(log, () => new ControlPlaneState());
    assert.equal(
      differences.slice(0, 5).map(describe),
      [],
      `this release applies version ${version}'s entries differently (${differences.length} difference(s), the first five shown): keep what those commands do, since members of version ${version} may still apply them beside this release`,
    );
  });
}

function describe(difference: ReplayDifference): string {
  return difference.kind === "outcome"
    ? `entry ${difference.index} was ${difference.recorded}, is now ${difference.replayed}: ${difference.command.slice(0, 200)}`
    : `the state after the last entry differs (hash ${difference.replayedHash} against the recorded ${difference.recordedHash})`;
}

test.run();
