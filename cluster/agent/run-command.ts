/**
 * The one way the agent runs system tools (`wg`, `ip`, `wireguard-go`):
 * execFile with an argument list, never a shell, always a timeout, and
 * failures as values that carry the command line and its stderr.
 */
import { execFile } from "node:child_process";
import type { ErrorValue } from "../../shared/result.ts";

/** What a command printed. */
export interface CommandOutput {
  stdout: string;
  stderr: string;
}

/** Why a command failed: not installed, non-zero exit (or killed by a signal), or too slow. */
export type CommandErrorCode = "COMMAND_NOT_FOUND" | "COMMAND_FAILED" | "COMMAND_TIMED_OUT";

/** A command that could not run or did not succeed, with what is needed to diagnose it. */
export interface CommandError extends ErrorValue<CommandErrorCode> {
  /** The command line, for humans: program and arguments separated by spaces. */
  command: string;
  /** The exit status, or null when the command never ran or was killed. */
  exitCode: number | null;
  stderr: string;
}

/** What {@link runCommand} resolves with. */
export type CommandResult = { ok: true; value: CommandOutput } | { ok: false; error: CommandError };

/** Input, time limit and environment for one command. */
export interface RunCommandOptions {
  /**
   * Written to the command's standard input, which is then closed (it is
   * closed empty when absent). Secrets never go in arguments: those are
   * visible to every user in `ps` and are repeated in error messages. Note
   * that stdin is a socket, so a tool cannot open it as `/dev/stdin`.
   */
  stdin?: string;
  /** The command is killed (SIGKILL) after this long; default 10 000 ms. */
  timeoutMs?: number;
  /** Changes to this process's environment for the command; `undefined` removes a variable. */
  environment?: Readonly<Record<string, string | undefined>>;
}

/** Runs `file` with `args`; the signature tests substitute to script a machine. */
export type CommandRunner = (
  file: string,
  args: readonly string[],
  options?: RunCommandOptions,
) => Promise<CommandResult>;

const defaultTimeoutMs = 10_000;
/** `wg show dump` with thousands of peers runs to a few hundred kilobytes. */
const maxOutputBytes = 16 * 1024 * 1024;

function failure(
  code: CommandErrorCode,
  message: string,
  command: string,
  exitCode: number | null,
  stderr: string,
): CommandResult {
  return { ok: false, error: { code, message, command, exitCode, stderr } };
}

/** Runs a program without a shell; resolves (never rejects) with its output or a typed error. */
export const runCommand: CommandRunner = (file, args, options = {}) => {
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  const command = [file, ...args].join(" ");
  // Tools print their messages in English whatever the host's locale, so errors read the same everywhere.
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: "C", ...options.environment };
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete env[name];
  }
  return new Promise((resolve) => {
    const child = execFile(
      file,
      [...args],
      {
        timeout: timeoutMs,
        killSignal: "SIGKILL",
        maxBuffer: maxOutputBytes,
        encoding: "utf8",
        env,
      },
      (error, stdout, stderr) => {
        if (!error) {
          resolve({ ok: true, value: { stdout, stderr } });
          return;
        }
        const trimmedStderr = stderr.trim();
        if (error.code === "ENOENT") {
          resolve(
            failure(
              "COMMAND_NOT_FOUND",
              `${file} is not installed or not on PATH`,
              command,
              null,
              "",
            ),
          );
        } else if (error.killed) {
          resolve(
            failure(
              "COMMAND_TIMED_OUT",
              `${command} did not finish within ${timeoutMs} ms and was killed`,
              command,
              null,
              trimmedStderr,
            ),
          );
        } else {
          const exitCode = typeof error.code === "number" ? error.code : null;
          const reason = trimmedStderr || error.message;
          resolve(
            failure(
              "COMMAND_FAILED",
              `${command} failed (exit ${exitCode ?? "unknown"}): ${reason}`,
              command,
              exitCode,
              trimmedStderr,
            ),
          );
        }
      },
    );
    // A command that exits before reading its input closes the pipe; its exit status tells the story.
    child.stdin?.on("error", () => {});
    child.stdin?.end(options.stdin ?? "");
  });
};
