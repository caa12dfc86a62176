/** Whether a process started by a test is still running, read from /proc. */
import { readFileSync } from "node:fs";
import { sleep } from "../../shared/sleep.ts";

/** True while the process runs; a zombie waiting to be reaped counts as gone. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

/** Resolves true once `pid` is gone, false if it still runs after `timeoutMs`. */
export async function waitUntilGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid) && Date.now() < deadline) {
    await sleep(20);
  }
  return !isAlive(pid);
}

/**
 * The pid a pid file names. Throws unless it holds a whole number above 1:
 * an empty or half-written file must never become `kill(0)`, which signals
 * the whole process group (the test runner with it).
 */
export function readPidFile(path: string): number {
  const text = readFileSync(path, "utf8").trim();
  const pid = Number(text);
  if (!/^\d+$/.test(text) || pid <= 1) throw new Error(`${path} names no process: "${text}"`);
  return pid;
}
