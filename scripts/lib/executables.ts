/**
 * Finding programs on PATH, and wrapping a child command so the kernel kills
 * it when its parent dies, however abruptly: a test that is SIGKILLed must not
 * leave nodes or servers running behind it.
 */
import { spawnSync } from "node:child_process";
import { accessSync, constants as fsConstants } from "node:fs";
import { delimiter, join } from "node:path";

/** The full path of an executable on PATH, or null. */
export function findOnPath(command: string): string | null {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // Not in this directory.
    }
  }
  return null;
}

let setprivPath: string | null | undefined;

/** util-linux setpriv, if installed and recent enough (2.33+) to know --pdeathsig. */
function setprivWithPdeathsig(): string | null {
  if (setprivPath !== undefined) return setprivPath;
  const path = findOnPath("setpriv");
  const help = path ? spawnSync(path, ["--help"], { encoding: "utf8", timeout: 2_000 }) : null;
  setprivPath = path && help?.stdout?.includes("--pdeathsig") ? path : null;
  return setprivPath;
}

/**
 * The command and arguments that run `command args` so that it receives
 * SIGKILL when this process dies. setpriv execs the command, so the PID the
 * caller sees is the command's own. Without setpriv the command runs as is
 * and only the caller's exit hook protects against leaks.
 */
export function diesWithParent(command: string, args: string[]): [string, string[]] {
  const setpriv = setprivWithPdeathsig();
  return setpriv ? [setpriv, ["--pdeathsig", "KILL", command, ...args]] : [command, args];
}
