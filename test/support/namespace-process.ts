/**
 * Long-running processes inside a test network's namespace (a probe agent,
 * a relay, a listener), started through `ip netns exec`, or on this host's
 * own network: either way so that they die with this process however it
 * ends, and stopped by their own PID.
 */
import { spawn } from "node:child_process";
import { diesWithParent } from "../../scripts/lib/executables.ts";

const tsxLoader = import.meta.resolve("tsx");
/** Enough of a process's output to explain why it failed. */
const OUTPUT_KEPT_CHARS = 20_000;

export interface NamespaceProcessOptions {
  /** Added to this process's environment; undefined removes a variable. */
  env?: Record<string, string | undefined>;
  cwd?: string;
}

/** A process started by {@link startInNamespace}. */
export interface NamespaceProcess {
  readonly pid: number;
  /** The end of what it printed (stdout and stderr together). */
  output(): string;
  /** Resolves once its output matches `pattern`; rejects if it exits first or `timeoutMs` passes. */
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<void>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

/** Starts `file args` inside `namespace`. */
export function startInNamespace(
  namespace: string,
  file: string,
  args: string[],
  options: NamespaceProcessOptions = {},
): NamespaceProcess {
  // `ip netns exec` execs the command in place, so the PID is the command's own.
  const [command, commandArgs] = diesWithParent("ip", ["netns", "exec", namespace, file, ...args]);
  return startWatched(`${file} in ${namespace}`, command, commandArgs, options);
}

/** Starts a TypeScript file with Node (through tsx) on this host's own network. */
export function startScript(
  scriptPath: string,
  args: string[],
  options: NamespaceProcessOptions = {},
): NamespaceProcess {
  const [command, commandArgs] = diesWithParent(process.execPath, [
    "--import",
    tsxLoader,
    scriptPath,
    ...args,
  ]);
  return startWatched(scriptPath, command, commandArgs, options);
}

function startWatched(
  label: string,
  command: string,
  commandArgs: string[],
  options: NamespaceProcessOptions,
): NamespaceProcess {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  const child = spawn(command, commandArgs, {
    env,
    stdio: ["ignore", "pipe", "pipe"],
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  });
  if (child.pid === undefined) throw new Error(`could not start ${label}`);
  const pid = child.pid;
  let printed = "";
  const listeners = new Set<() => void>();
  const onOutput = (chunk: Buffer) => {
    printed = (printed + chunk.toString("utf8")).slice(-OUTPUT_KEPT_CHARS);
    for (const listener of listeners) listener();
  };
  child.stdout.on("data", onOutput);
  child.stderr.on("data", onOutput);
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.once("exit", () => {
      exited = true;
      for (const listener of listeners) listener();
      resolve();
    });
  });

  return {
    pid,
    output: () => printed,
    waitForOutput(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const settle = (error?: Error) => {
          clearTimeout(timer);
          listeners.delete(check);
          if (error) reject(error);
          else resolve();
        };
        const check = () => {
          if (pattern.test(printed)) settle();
          else if (exited)
            settle(new Error(`${label} exited before printing ${pattern}:\n${printed}`));
        };
        const timer = setTimeout(
          () =>
            settle(
              new Error(`${label} did not print ${pattern} within ${timeoutMs} ms:\n${printed}`),
            ),
          timeoutMs,
        );
        listeners.add(check);
        check();
      });
    },
    async stop(graceMs = 3_000) {
      if (exited) return;
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exit;
      clearTimeout(killer);
    },
  };
}

/** Starts a TypeScript file with Node (through tsx) inside `namespace`. */
export function startScriptInNamespace(
  namespace: string,
  scriptPath: string,
  args: string[],
  options: NamespaceProcessOptions = {},
): NamespaceProcess {
  return startInNamespace(
    namespace,
    process.execPath,
    ["--import", tsxLoader, scriptPath, ...args],
    options,
  );
}
