import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  type CpuReading,
  cpuSpent,
  perWrite,
  type SystemProcess,
} from "../../../scripts/bench/process-cpu.ts";

/** A reading as readCpu makes it, from CPU times by process. */
function reading(clientMs: number, times: [SystemProcess, number][]): CpuReading {
  return {
    clientMs,
    byProcess: new Map(
      times.map(([entry, ms]) => [
        `${entry.kind} ${entry.member} ${entry.pid}`,
        { process: entry, ms },
      ]),
    ),
  };
}

test("CPU spent is split into client, leader, other members and storage", () => {
  const leader: SystemProcess = { member: 1, kind: "member", pid: 11 };
  const follower: SystemProcess = { member: 0, kind: "member", pid: 10 };
  const leaderStorage: SystemProcess = { member: 1, kind: "storage", pid: 21 };
  const gone: SystemProcess = { member: 2, kind: "member", pid: 12 };
  const restarted: SystemProcess = { member: 2, kind: "member", pid: 13 };
  const before = reading(100, [
    [leader, 1_000],
    [follower, 500],
    [leaderStorage, 50],
    [gone, 70],
  ]);
  // Fresh objects, as each call of KvSystem.processes() returns; a restarted member is left out.
  const after = reading(130, [
    [{ ...leader }, 1_090],
    [{ ...follower }, 520],
    [{ ...leaderStorage }, 55],
    [restarted, 5],
  ]);
  const spent = cpuSpent(before, after, 1);
  assert.equal(spent, { client: 30, leader: 90, otherMembers: 20, storage: 5 });
  assert.equal(perWrite([spent, spent], 100), {
    client: 0.6,
    leader: 1.8,
    otherMembers: 0.4,
    storage: 0.1,
  });
});

test.run();
