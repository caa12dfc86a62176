/**
 * What Linux's /proc tells of a process: its scheduling state, the CPU time
 * it has used and, while it sleeps, the kernel function it waits in. Used to
 * measure processes under benchmark and to say what a process that does not
 * answer is doing.
 */
import { readFileSync } from "node:fs";

export interface ProcStat {
  /** R running, S sleeping, D waiting on I/O, T stopped, Z exited but not reaped. */
  state: string;
  /** User plus system time, in clock ticks. */
  cpuTicks: number;
}

/**
 * Reads the text of `/proc/<pid>/stat`. The command name in parentheses may
 * hold spaces and parentheses itself; the fields after its last ")" are fixed
 * (the state is the 3rd field, utime and stime the 14th and 15th).
 */
export function parseProcStat(stat: string): ProcStat | undefined {
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const cpuTicks = Number(fields[11]) + Number(fields[12]);
  const state = fields[0] ?? "";
  return Number.isFinite(cpuTicks) && /^[A-Za-z]$/.test(state) ? { state, cpuTicks } : undefined;
}

/**
 * /proc counts CPU time in USER_HZ ticks, which Linux fixes at 100 a second
 * on x86 and ARM whatever the kernel's own tick rate (`getconf CLK_TCK`).
 */
const TICKS_PER_SECOND = 100;

function readProc(pid: number, file: string): string | undefined {
  if (pid <= 0) return undefined;
  try {
    return readFileSync(`/proc/${pid}/${file}`, "utf8");
  } catch {
    return undefined;
  }
}

/** CPU time a process has used so far, in ms; undefined once it is gone (or off Linux). */
export function processCpuMs(pid: number): number | undefined {
  const stat = parseProcStat(readProc(pid, "stat") ?? "");
  return stat === undefined ? undefined : (stat.cpuTicks * 1000) / TICKS_PER_SECOND;
}

/** One line on what the process is doing, e.g. "state S in ep_poll, 0.42 s of CPU". */
export function describeProcess(pid: number): string {
  const stat = parseProcStat(readProc(pid, "stat") ?? "");
  if (stat === undefined) return `process ${pid} is not readable in /proc`;
  const wchan = readProc(pid, "wchan")?.trim();
  const waitingIn = wchan && wchan !== "0" ? ` in ${wchan}` : "";
  const cpuSeconds = (stat.cpuTicks / TICKS_PER_SECOND).toFixed(2);
  return `state ${stat.state}${waitingIn}, ${cpuSeconds} s of CPU`;
}
