/**
 * How much CPU each process of a system under benchmark spends per
 * acknowledged write, read from /proc: on a two-core host every process
 * competes for the same cores, so a system's throughput follows the CPU all
 * of its processes spend, not the leader's alone.
 */
import { readFileSync } from "node:fs";

/** A process of a system under benchmark: a member, or the storage server beside one. */
export interface SystemProcess {
  member: number;
  kind: "member" | "storage";
  /** 0 while not running. */
  pid: number;
}

/** CPU per acknowledged write, in ms, by role. */
export interface CpuPerWrite {
  client: number;
  leader: number;
  otherMembers: number;
  storage: number;
}

/**
 * User plus system time, in clock ticks, from the text of `/proc/<pid>/stat`.
 * The command name in parentheses may hold spaces and parentheses itself;
 * the fields after its last ")" are fixed (utime and stime are the 12th and 13th).
 */
export function cpuTicksFromStat(stat: string): number | undefined {
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? ticks : undefined;
}

/**
 * /proc counts CPU time in USER_HZ ticks, which Linux fixes at 100 a second
 * on x86 and ARM whatever the kernel's own tick rate (`getconf CLK_TCK`).
 */
const TICKS_PER_SECOND = 100;

/** CPU time a process has used so far, in ms; undefined once it is gone (or off Linux). */
export function processCpuMs(pid: number): number | undefined {
  if (pid <= 0) return undefined;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  const ticks = cpuTicksFromStat(stat);
  return ticks === undefined ? undefined : (ticks * 1000) / TICKS_PER_SECOND;
}

/** What one measurement starts from: the client's and every process's CPU time so far. */
export interface CpuReading {
  clientMs: number;
  /** By {@link processKey}: a restarted process is another process. */
  byProcess: Map<string, { process: SystemProcess; ms: number }>;
}

function processKey(entry: SystemProcess): string {
  return `${entry.kind} ${entry.member} ${entry.pid}`;
}

export function readCpu(processes: readonly SystemProcess[]): CpuReading {
  const { user, system } = process.cpuUsage();
  const byProcess = new Map<string, { process: SystemProcess; ms: number }>();
  for (const entry of processes) {
    const ms = processCpuMs(entry.pid);
    if (ms !== undefined) byProcess.set(processKey(entry), { process: entry, ms });
  }
  return { clientMs: (user + system) / 1000, byProcess };
}

/** CPU spent between two readings, by role; processes that exited in between are left out. */
export function cpuSpent(before: CpuReading, after: CpuReading, leader: number): CpuPerWrite {
  const spent: CpuPerWrite = {
    client: after.clientMs - before.clientMs,
    leader: 0,
    otherMembers: 0,
    storage: 0,
  };
  for (const [key, { process: entry, ms: endMs }] of after.byProcess) {
    const start = before.byProcess.get(key);
    if (start === undefined) continue;
    const used = endMs - start.ms;
    if (entry.kind === "storage") spent.storage += used;
    else if (entry.member === leader) spent.leader += used;
    else spent.otherMembers += used;
  }
  return spent;
}

/** Sums of CPU over several measurements, divided by the writes they acknowledged. */
export function perWrite(spent: readonly CpuPerWrite[], acknowledged: number): CpuPerWrite {
  const total = (role: keyof CpuPerWrite) =>
    spent.reduce((sum, entry) => sum + entry[role], 0) / Math.max(1, acknowledged);
  return {
    client: total("client"),
    leader: total("leader"),
    otherMembers: total("otherMembers"),
    storage: total("storage"),
  };
}
