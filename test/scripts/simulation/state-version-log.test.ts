import { test } from "uvu";
import * as assert from "uvu/assert";
import type { ApplyResult } from "../../../cluster/fsm/control-plane.ts";
import { ControlPlaneState } from "../../../cluster/fsm/control-plane.ts";
import {
  formatStateVersionLog,
  parseStateVersionLog,
  type ReplayMachine,
  recordStateVersionLog,
  replayStateVersionLog,
  type StateVersionLog,
} from "../../../scripts/simulation/state-version-log.ts";

const ENTRIES = 400;

function record(): StateVersionLog {
  return recordStateVersionLog(new ControlPlaneState(), 1, ENTRIES);
}

type Apply = (
  machine: ControlPlaneState,
  command: string,
  index: number,
  forwardedBy?: string,
) => ApplyResult;

/** A release whose machines are this one's with apply changed, as a later release might change it. */
function changedRelease(apply: Apply): () => ReplayMachine {
  return () => {
    const machine = new ControlPlaneState();
    return {
      version: machine.version,
      apply: (command, index, forwardedBy) => apply(machine, command, index, forwardedBy),
      snapshot: () => machine.snapshot(),
      restore: (data) => machine.restore(data),
      stateHash: () => machine.stateHash(),
    };
  };
}

function isSetting(command: string): boolean {
  return JSON.parse(command).type === "setSetting";
}

test("recording is deterministic, with reports forwarded by followers among the entries", () => {
  const log = record();
  assert.is(formatStateVersionLog(log), formatStateVersionLog(record()));
  assert.is(log.entries.length, ENTRIES);
  assert.ok(log.entries.some((entry) => entry.forwardedBy === "n2" && entry.outcome === "ok"));
  assert.ok(log.entries.some((entry) => entry.forwardedBy === "n3" && entry.outcome === "ok"));
  assert.ok(
    log.entries.some((entry) => entry.outcome !== "ok"),
    "refusals are recorded too",
  );
});

test("the same release replays its own log without a difference", () => {
  assert.equal(
    replayStateVersionLog(record(), () => new ControlPlaneState()),
    [],
  );
});

test("a release that refuses what the log's version accepted is caught at those entries", () => {
  const log = record();
  const settings = log.entries.filter(
    (entry) => entry.outcome === "ok" && isSetting(entry.command),
  );
  assert.ok(settings.length > 0);
  const differences = replayStateVersionLog(
    log,
    changedRelease((machine, command, index, forwardedBy) =>
      machine.apply(
        isSetting(command) ? command.replace('"key":"', '"key":"bad key ') : command,
        index,
        forwardedBy,
      ),
    ),
  );
  const changedIndexes = differences.flatMap((difference) =>
    difference.kind === "outcome" ? [difference.index] : [],
  );
  for (const entry of settings)
    assert.ok(changedIndexes.includes(entry.index), `entry ${entry.index}`);
});

test("a release that applies a command otherwise, with the same outcome, is caught by the state", () => {
  const log = record();
  const differences = replayStateVersionLog(
    log,
    // Every setting is also kept under a second key: the same answers, another state.
    changedRelease((machine, command, index, forwardedBy) => {
      const result = machine.apply(command, index, forwardedBy);
      if (result.ok && isSetting(command)) {
        const copy = { ...JSON.parse(command), key: "copy.of.a.setting" };
        machine.apply(JSON.stringify(copy), index, forwardedBy);
      }
      return result;
    }),
  );
  assert.equal(
    differences.map((difference) => difference.kind),
    ["state"],
  );
});

test("a log file that is malformed is refused with what is wrong", () => {
  const text = formatStateVersionLog(record());
  assert.equal(parseStateVersionLog(text), record());
  const withoutOutcome = JSON.parse(text);
  delete withoutOutcome.entries[0].outcome;
  assert.throws(() => parseStateVersionLog(JSON.stringify(withoutOutcome)), /outcome/);
  assert.throws(
    () => parseStateVersionLog(JSON.stringify({ ...JSON.parse(text), entries: [] })),
    /entries/,
  );
  assert.throws(
    () => parseStateVersionLog(JSON.stringify({ stateVersion: 0 })),
    /not a state version log/,
  );
  assert.throws(() => parseStateVersionLog(text.slice(0, 100)), /not a state version log: .*JSON/);
});

test.run();
