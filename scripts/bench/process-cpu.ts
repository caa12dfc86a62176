/**
 * How much CPU each process of a system under benchmark spends per
 * acknowledged write, read from /proc: on a two-core host every process
 * competes for the same cores, so a system's throughput follows the CPU all
 * of its processes spend, not the leader's alone.
 */
import { processCpuMs } from "../lib/proc-stat.ts";

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
