/**
 * One NexaLoak node process (`node --import tsx app/main.ts`, or the bundle of
 * the same sources in a test run, see node-bundle.ts) started by a
 * test, the dev cluster or a benchmark: its environment, its output appended
 * to a log file and kept in memory, its JSON log lines, and stopping it by
 * PID. A node started here never outlives the process that started it: it is
 * killed on exit, and by the kernel (see executables.ts) on a harder death.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import { fileURLToPath } from "node:url";
import { envNames } from "../../shared/env-variables.ts";
import { sleep } from "../../shared/sleep.ts";
import { diesWithParent } from "./executables.ts";
import { trackChild, untrackChild } from "./exit-cleanup.ts";
import { NODE_BUNDLE_VARIABLE } from "./node-bundle.ts";
import { describeProcess } from "./proc-stat.ts";

/** The node's entry point in this repository. */
export const NODE_ENTRY = fileURLToPath(new URL("../../app/main.ts", import.meta.url));

/** The node runs in a directory of its own, so tsx is told where the project's tsconfig is. */
const TSCONFIG_PATH = fileURLToPath(new URL("../../tsconfig.json", import.meta.url));

/** How a node process ended. */
export interface NodeExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface NodeProcessOptions {
  /**
   * The node's configuration. Variables the node reads are taken only from
   * here, never inherited from the caller's environment.
   */
  env: Record<string, string>;
  /** Output of every run is appended here. */
  logFile: string;
  /** Working directory; a directory without `.env`, so only `env` configures the node. */
  cwd: string;
  /** Script to run instead of the node's entry point: for testing this module, or a tool run with a node's environment (scripts/restore.ts). */
  entry?: string;
  /** Command-line arguments after the entry point. */
  args?: readonly string[];
  /** Options for node itself, before the entry point (e.g. `--cpu-prof`). */
  nodeFlags?: readonly string[];
  /**
   * Run the node inside this network namespace (`ip netns exec`, which execs
   * the node, so the PID stays the node's own); for tests of the VPN side.
   */
  networkNamespace?: string;
  /** Called with every complete output line, stdout and stderr alike (the dev cluster shows them). */
  onLine?: (line: string, stream: "stdout" | "stderr") => void;
}

/** A parsed JSON log line from the node's stdout. */
export type LogLine = Record<string, unknown>;

const OUTPUT_KEPT_CHARS = 4_000_000;
/** Parsed log lines kept; older ones are dropped so a long-running node does not grow without bound. */
const LOG_LINES_KEPT = 100_000;
const TSX_LOADER = import.meta.resolve("tsx");

/**
 * How node runs `entry`: under tsx, or, for the node's own entry during a
 * test run, the bundle the runner built from the same sources (node-bundle.ts).
 */
function entryArguments(entry: string | undefined): string[] {
  const bundle = process.env[NODE_BUNDLE_VARIABLE];
  if (entry === undefined && bundle) return [bundle];
  return ["--import", TSX_LOADER, entry ?? NODE_ENTRY];
}

/** The caller's environment without anything that would configure the node behind our back. */
function baseEnvironment(): Record<string, string> {
  const base: Record<string, string> = {};
  const nodeVariables = new Set<string>(envNames);
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !nodeVariables.has(name) && name !== "NODE_OPTIONS") {
      base[name] = value;
    }
  }
  return base;
}

/** A running or finished node process. Use {@link spawnNode} to start one. */
export class NodeProcess {
  private readonly child: ChildProcess;
  private outputText = "";
  private readonly partialLine = { stdout: "", stderr: "" };
  private lines: LogLine[] = [];
  /** How many parsed lines were dropped from the front of `lines`. */
  private droppedLines = 0;
  private exitInfo: NodeExit | undefined;
  private readonly exitPromise: Promise<NodeExit>;
  private readonly logStream: WriteStream;

  constructor(private readonly options: NodeProcessOptions) {
    const nodeArgs = [
      ...(options.nodeFlags ?? []),
      ...entryArguments(options.entry),
      ...(options.args ?? []),
    ];
    const [command, args] = options.networkNamespace
      ? diesWithParent("ip", [
          "netns",
          "exec",
          options.networkNamespace,
          process.execPath,
          ...nodeArgs,
        ])
      : diesWithParent(process.execPath, nodeArgs);
    this.logStream = createWriteStream(options.logFile, { flags: "a" });
    this.logStream.write(`--- ${new Date().toISOString()} start ${options.env.NODE_ID ?? ""}\n`);
    this.child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...baseEnvironment(), TSX_TSCONFIG_PATH: TSCONFIG_PATH, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child.stdout?.on("data", (chunk: Buffer) => this.onOutput(chunk, "stdout"));
    this.child.stderr?.on("data", (chunk: Buffer) => this.onOutput(chunk, "stderr"));
    this.child.on("error", (error) =>
      this.onOutput(Buffer.from(`spawn error: ${error}\n`), "stderr"),
    );
    this.exitPromise = new Promise((resolve) => {
      // "close" rather than "exit": by then all output has been read.
      this.child.once("close", (code, signal) => {
        untrackChild(this.child);
        const exit = { code, signal };
        this.exitInfo = exit;
        // Resolved once the log file holds the last line too, so callers may read it at once.
        this.logStream.end(`--- exited code=${code} signal=${signal}\n`, () => resolve(exit));
      });
    });
    if (this.child.pid !== undefined) trackChild(this.child);
    // A node a caller forgot to stop must not keep its process alive; the exit hook kills it.
    this.child.unref();
    for (const stream of [this.child.stdout, this.child.stderr]) {
      const socket = stream as (typeof stream & { unref?: () => void }) | null;
      socket?.unref?.();
    }
  }

  /** The process id (0 if the spawn failed). */
  get pid(): number {
    return this.child.pid ?? 0;
  }

  /**
   * Resolves when the process has ended. The child does not keep this process
   * alive, so awaiting only this may never return; tests use {@link waitForExit}.
   */
  get exited(): Promise<NodeExit> {
    return this.exitPromise;
  }

  /** How it ended, once it has. */
  get exit(): NodeExit | undefined {
    return this.exitInfo;
  }

  get running(): boolean {
    return this.exitInfo === undefined && this.child.pid !== undefined;
  }

  /** Everything it wrote on stdout and stderr so far (the last few MB). */
  get output(): string {
    return this.outputText;
  }

  /** Its stdout parsed as JSON lines (the most recent ones); lines that are not JSON are left out. */
  get logLines(): readonly LogLine[] {
    return this.lines;
  }

  /**
   * Resolves with the first log line that `matches`, waiting at most
   * `timeoutMs`; rejects, with the output, on timeout or if the process exits first.
   */
  async waitForLogLine(
    matches: (line: LogLine) => boolean,
    description: string,
    timeoutMs: number,
  ): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (let seen = this.droppedLines; ; ) {
      for (
        seen = Math.max(seen, this.droppedLines);
        seen < this.droppedLines + this.lines.length;
        seen++
      ) {
        const line = this.lines[seen - this.droppedLines]!;
        if (matches(line)) return line;
      }
      if (this.exitInfo !== undefined) {
        throw new Error(
          `node ${this.options.env.NODE_ID ?? ""} (pid ${this.pid}) exited (code ${this.exitInfo.code}, signal ${this.exitInfo.signal}) before logging ${description}; output:\n${this.tail()}`,
        );
      }
      if (Date.now() > deadline) {
        throw new Error(
          `node ${this.options.env.NODE_ID ?? ""} (pid ${this.pid}, ${describeProcess(this.pid)}) did not log ${description} within ${timeoutMs} ms; output:\n${this.tail()}`,
        );
      }
      await sleep(10);
    }
  }

  /** Waits for the `"node listening"` line and returns its `url`. */
  async waitForListening(timeoutMs: number): Promise<string> {
    const line = await this.waitForLogLine(
      (candidate) => candidate.msg === "node listening",
      '"node listening"',
      timeoutMs,
    );
    return typeof line.url === "string" ? line.url : "";
  }

  /** Waits at most `timeoutMs` for the process to end; rejects if it is still running. */
  async waitForExit(timeoutMs: number): Promise<NodeExit> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), timeoutMs);
    });
    const exit = await Promise.race([this.exitPromise, timedOut]);
    clearTimeout(timer);
    if (exit === undefined) {
      throw new Error(
        `node ${this.options.env.NODE_ID ?? ""} (pid ${this.pid}) still running after ${timeoutMs} ms`,
      );
    }
    return exit;
  }

  /** Sends `signal` to the PID if the process is still running. */
  signal(signal: NodeJS.Signals): void {
    if (!this.running) return;
    try {
      process.kill(this.pid, signal);
    } catch {
      // It exited between the check and the signal.
    }
  }

  /** SIGKILL, as a crash would, and waits for the exit. */
  async kill(): Promise<NodeExit> {
    if (!this.running) return this.exitInfo ?? { code: null, signal: null };
    this.signal("SIGKILL");
    return this.waitForExit(5_000);
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs: number): Promise<NodeExit> {
    if (!this.running) return this.exitInfo ?? { code: null, signal: null };
    this.signal("SIGTERM");
    try {
      return await this.waitForExit(graceMs);
    } catch {
      return this.kill();
    }
  }

  /** The last `lineCount` lines of output, for failure messages. */
  tail(lineCount = 40): string {
    return this.outputText
      .split("\n")
      .slice(-lineCount - 1)
      .join("\n");
  }

  private onOutput(chunk: Buffer, stream: "stdout" | "stderr"): void {
    const text = chunk.toString("utf8");
    this.outputText = (this.outputText + text).slice(-OUTPUT_KEPT_CHARS);
    this.logStream.write(text);
    const pieces = (this.partialLine[stream] + text).split("\n");
    this.partialLine[stream] = pieces.pop() ?? "";
    for (const piece of pieces) {
      this.options.onLine?.(piece, stream);
      if (stream === "stdout" && piece.startsWith("{")) this.parseLogLine(piece);
    }
  }

  private parseLogLine(text: string): void {
    try {
      this.lines.push(JSON.parse(text) as LogLine);
    } catch {
      // Not a JSON log line; it is still in the output and the log file.
      return;
    }
    if (this.lines.length > LOG_LINES_KEPT) {
      const excess = this.lines.length - LOG_LINES_KEPT / 2;
      this.lines = this.lines.slice(excess);
      this.droppedLines += excess;
    }
  }
}

/** Starts one node process; see {@link NodeProcessOptions}. */
export function spawnNode(options: NodeProcessOptions): NodeProcess {
  return new NodeProcess(options);
}
