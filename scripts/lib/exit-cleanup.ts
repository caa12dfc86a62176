/**
 * What must not outlive this process: child processes (SIGKILLed) and temp
 * dirs (removed) that a caller forgot to clean up, handled when the process
 * exits. The hook is installed once, on first use.
 */
import type { ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";

const children = new Set<ChildProcess>();
const temporaryDirs = new Set<string>();
let hookInstalled = false;

function installHook(): void {
  if (hookInstalled) return;
  hookInstalled = true;
  process.on("exit", () => {
    for (const child of children) {
      if (child.pid === undefined) continue;
      try {
        process.kill(child.pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
    for (const dir of temporaryDirs) rmSync(dir, { recursive: true, force: true });
  });
}

/** SIGKILLs `child` when this process exits, unless untracked first. */
export function trackChild(child: ChildProcess): void {
  installHook();
  children.add(child);
}

export function untrackChild(child: ChildProcess): void {
  children.delete(child);
}

/** Removes `dir` when this process exits, unless untracked first. */
export function trackTemporaryDir(dir: string): void {
  installHook();
  temporaryDirs.add(dir);
}

export function untrackTemporaryDir(dir: string): void {
  temporaryDirs.delete(dir);
}
