import { test } from "uvu";
import * as assert from "uvu/assert";
import { describeProcess, parseProcStat, processCpuMs } from "../../../scripts/lib/proc-stat.ts";

test("state and CPU ticks are read after the command name, whatever it holds", () => {
  const fields = "S 1 2 3 4 5 6 7 8 9 10 250 40 0 0 20 0 1 0 100 0 0";
  assert.equal(parseProcStat(`4242 (node) ${fields}`), { state: "S", cpuTicks: 290 });
  assert.equal(parseProcStat(`4242 (a (b) c) d) ${fields}`), { state: "S", cpuTicks: 290 });
  assert.is(parseProcStat("4242 (cut short) S 1"), undefined);
  assert.is(parseProcStat(""), undefined);
});

test("this process's own CPU time is readable and grows", () => {
  const first = processCpuMs(process.pid);
  assert.ok(first !== undefined && first > 0);
  const deadline = performance.now() + 50;
  while (performance.now() < deadline);
  assert.ok((processCpuMs(process.pid) ?? 0) >= first);
  assert.is(processCpuMs(0), undefined);
});

test("a running process is described by its state and CPU time; a missing one says so", () => {
  assert.match(describeProcess(process.pid), /^state R, \d+\.\d\d s of CPU$/);
  assert.is(describeProcess(0), "process 0 is not readable in /proc");
});

test.run();
