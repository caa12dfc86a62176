/**
 * Throwaway redis-server processes on loopback, for tests and the dev cluster:
 * a free port, a temporary data dir, the AOF settings under test, and
 * stop/kill/restart by PID.
 *
 * A server started here never outlives the process that started it: it is
 * killed when that process exits, and (where util-linux `setpriv` exists) the
 * kernel kills it if that process dies abruptly, even by SIGKILL.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sleep } from "../../shared/sleep.ts";
import { diesWithParent, findOnPath } from "./executables.ts";
import {
  trackChild,
  trackTemporaryDir,
  untrackChild,
  untrackTemporaryDir,
} from "./exit-cleanup.ts";
import { findFreePort } from "./free-port.ts";

export type AppendFsyncPolicy = "always" | "everysec" | "no";

export interface RedisServerOptions {
  /** AOF on or off; default on. */
  appendonly?: boolean;
  /** When the AOF is fsynced; default "always" (every acknowledged write is on disk). */
  appendfsync?: AppendFsyncPolicy;
  /** Loopback port; default a free one. */
  port?: number;
  /** Where the AOF lives; default a new temporary directory that cleanup() removes. */
  dataDir?: string;
  /** How long to wait for the server to answer PING; default 10 000 ms. */
  startTimeoutMs?: number;
  /** Also listen on a Unix socket in the data dir, and make `url` a `unix://` URL naming it. */
  unixSocket?: boolean;
}

/** A running (or stopped) redis-server started by {@link startRedisServer}. */
export interface RedisServerHandle {
  /** Loopback port; the server listens there even with `unixSocket`. */
  readonly port: number;
  /** `redis://127.0.0.1:<port>`, or `unix://<dataDir>/redis.sock` with `unixSocket`. */
  readonly url: string;
  /** PID of the current process, or of the last one once stopped; restart() changes it. */
  readonly pid: number;
  readonly dataDir: string;
  readonly running: boolean;
  /** Sends SIGTERM to the PID (redis flushes its AOF and exits) and waits for the exit. */
  stop(): Promise<void>;
  /** Sends SIGKILL to the PID, as a crash would, and waits for the exit. */
  kill(): Promise<void>;
  /** Starts the server again on the same port and data dir (stopping it first if running). */
  restart(): Promise<void>;
  /** Stops the server if running and removes the data dir if this module created it. */
  cleanup(): Promise<void>;
}

const LOOPBACK = "127.0.0.1";
const DEFAULT_START_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 5_000;
const PING_RETRY_MS = 20;
const OUTPUT_TAIL_CHARS = 4_000;
const OUTPUT_DRAIN_MS = 200;
const AUTO_PORT_ATTEMPTS = 3;

/** What a probe learned: whether the server serves commands yet, and whose process answered. */
interface ProbeReply {
  /** True once PING answers PONG (false while the server is still loading its AOF). */
  serving: boolean;
  processId: number;
}

/**
 * Sends PING and INFO server on one connection. The process id tells our
 * server apart from another one already listening on the same port.
 */
function probe(port: number, timeoutMs: number): Promise<ProbeReply | null> {
  return new Promise((resolve) => {
    const socket = connect({ host: LOOPBACK, port });
    let buffer = "";
    const finish = (reply: ProbeReply | null): void => {
      socket.destroy();
      clearTimeout(timer);
      resolve(reply);
    };
    const timer = setTimeout(() => finish(null), timeoutMs);
    socket.once("connect", () => socket.write("PING\r\nINFO server\r\n"));
    socket.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      const pingEnd = buffer.indexOf("\r\n");
      if (pingEnd < 0) return;
      // INFO's reply is one bulk string: `$<length>\r\n<text>\r\n`.
      const header = /^\$(\d+)\r\n/.exec(buffer.slice(pingEnd + 2));
      if (!header) return;
      const textStart = pingEnd + 2 + header[0].length;
      if (Buffer.byteLength(buffer.slice(textStart)) < Number(header[1])) return;
      const processId = /process_id:(\d+)/.exec(buffer.slice(textStart));
      finish({
        serving: buffer.slice(0, pingEnd) === "+PONG",
        processId: processId ? Number(processId[1]) : 0,
      });
    });
    socket.once("error", () => finish(null));
    socket.once("close", () => finish(null));
  });
}

/** Resolves true once `promise` settles, or false after `timeoutMs`, leaving no timer behind. */
function settlesWithin(promise: Promise<unknown>, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    const settled = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    promise.then(settled, settled);
  });
}

class RedisServerProcess implements RedisServerHandle {
  readonly url: string;
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private lastPid = 0;
  private outputTail = "";

  constructor(
    readonly port: number,
    readonly dataDir: string,
    private readonly ownsDataDir: boolean,
    private readonly redisServerPath: string,
    private readonly appendonly: boolean,
    private readonly appendfsync: AppendFsyncPolicy,
    private readonly startTimeoutMs: number,
    private readonly unixSocket: boolean,
  ) {
    this.url = unixSocket ? `unix://${this.socketPath}` : `redis://${LOOPBACK}:${port}`;
  }

  private get socketPath(): string {
    return join(this.dataDir, "redis.sock");
  }

  get pid(): number {
    return this.lastPid;
  }

  get running(): boolean {
    return this.child !== null;
  }

  /** Spawns redis-server and waits until it answers PING; on failure nothing is left running. */
  async start(): Promise<void> {
    const redisArgs = [
      "--port",
      String(this.port),
      "--bind",
      LOOPBACK,
      "--dir",
      this.dataDir,
      "--save",
      "",
      "--appendonly",
      this.appendonly ? "yes" : "no",
      "--appendfsync",
      this.appendfsync,
      "--daemonize",
      "no",
      "--logfile",
      "",
      ...(this.unixSocket ? ["--unixsocket", this.socketPath, "--unixsocketperm", "700"] : []),
    ];
    // setpriv makes the kernel SIGKILL redis-server when this process dies, however it dies.
    const [command, args] = diesWithParent(this.redisServerPath, redisArgs);
    this.outputTail = "";
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let spawnError: Error | null = null;
    child.once("error", (error) => {
      spawnError = error;
    });
    if (child.pid === undefined) {
      await new Promise((resolve) => setImmediate(resolve));
      throw new Error(`could not start ${command}: ${spawnError ?? "no pid"}`);
    }
    const keepTail = (chunk: Buffer): void => {
      this.outputTail = (this.outputTail + chunk.toString()).slice(-OUTPUT_TAIL_CHARS);
    };
    child.stdout?.on("data", keepTail);
    child.stderr?.on("data", keepTail);
    const outputClosed = new Promise((resolve) => child.once("close", resolve));
    this.exited = new Promise((resolve) => {
      child.once("exit", () => {
        untrackChild(child);
        if (this.child === child) this.child = null;
        resolve();
      });
    });
    trackChild(child);
    this.child = child;
    this.lastPid = child.pid;
    // A server a test forgot to stop must not keep the test process alive; the exit hook kills it.
    this.release(child);

    const deadline = Date.now() + this.startTimeoutMs;
    while (Date.now() < deadline) {
      if (this.child !== child) {
        // The last lines of output (usually the reason) may still be in the pipe.
        await settlesWithin(outputClosed, OUTPUT_DRAIN_MS);
        throw new Error(
          `redis-server on port ${this.port} exited during start:\n${this.outputTail}`,
        );
      }
      const reply = await probe(this.port, Math.min(1_000, Math.max(1, deadline - Date.now())));
      if (reply?.serving && reply.processId === child.pid) return;
      await sleep(PING_RETRY_MS);
    }
    await this.kill();
    throw new Error(
      `redis-server on port ${this.port} did not answer PING within ${this.startTimeoutMs} ms:\n${this.outputTail}`,
    );
  }

  async stop(): Promise<void> {
    await this.signalAndWait("SIGTERM", STOP_GRACE_MS);
    if (this.child) await this.signalAndWait("SIGKILL", STOP_GRACE_MS);
  }

  async kill(): Promise<void> {
    await this.signalAndWait("SIGKILL", STOP_GRACE_MS);
  }

  async restart(): Promise<void> {
    if (this.child) await this.stop();
    await this.start();
  }

  async cleanup(): Promise<void> {
    if (this.child) await this.stop();
    if (this.ownsDataDir) {
      await rm(this.dataDir, { recursive: true, force: true });
      untrackTemporaryDir(this.dataDir);
    }
  }

  /** Output of the last start, for error messages. */
  get output(): string {
    return this.outputTail;
  }

  private async signalAndWait(signal: NodeJS.Signals, timeoutMs: number): Promise<void> {
    const child = this.child;
    if (!child || child.pid === undefined) return;
    // Hold the event loop open while waiting for the exit event.
    child.ref();
    try {
      process.kill(child.pid, signal);
      const exited = await settlesWithin(this.exited, timeoutMs);
      if (!exited && signal === "SIGKILL") {
        throw new Error(`redis-server (pid ${child.pid}) did not exit after SIGKILL`);
      }
    } finally {
      if (this.child === child) this.release(child);
    }
  }

  private release(child: ChildProcess): void {
    child.unref();
    for (const stream of [child.stdout, child.stderr]) {
      if (stream && "unref" in stream && typeof stream.unref === "function") stream.unref();
    }
  }
}

/**
 * Starts a redis-server on 127.0.0.1 with `--save ""` and the given AOF
 * settings (default `appendonly yes`, `appendfsync always`) and resolves once
 * it answers PING.
 */
export async function startRedisServer(
  options: RedisServerOptions = {},
): Promise<RedisServerHandle> {
  const redisServerPath = findOnPath("redis-server");
  if (!redisServerPath) {
    throw new Error(
      "redis-server is not installed (not found on PATH); run scripts/ensure-system-packages.sh to install it",
    );
  }
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), "nexaloak-redis-")));
  if (ownsDataDir) trackTemporaryDir(dataDir);
  else await mkdir(dataDir, { recursive: true });

  const attempts = options.port === undefined ? AUTO_PORT_ATTEMPTS : 1;
  let lastError: unknown = null;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const port = options.port ?? (await findFreePort());
    const server = new RedisServerProcess(
      port,
      dataDir,
      ownsDataDir,
      redisServerPath,
      options.appendonly ?? true,
      options.appendfsync ?? "always",
      options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS,
      options.unixSocket ?? false,
    );
    try {
      await server.start();
      return server;
    } catch (error) {
      lastError = error;
      // Only a port taken between choosing and binding is worth another try.
      if (!server.output.includes("Address already in use")) break;
    }
  }
  if (ownsDataDir) {
    await rm(dataDir, { recursive: true, force: true });
    untrackTemporaryDir(dataDir);
  }
  throw lastError;
}
