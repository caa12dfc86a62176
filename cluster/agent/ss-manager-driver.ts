/**
 * Serves Shadowsocks through ss-manager (shadowsocks-libev): the node runs
 * one ss-manager as its child, which runs one ss-server per port. Commands
 * go over ss-manager's Unix datagram socket in DATA_DIR/shadowsocks (mode
 * 0700: ss-manager also writes each port's password below it, in
 * `servers/`), one at a time, each answered before the next is sent.
 *
 * ss-servers are daemons of their own: when ss-manager is killed outright
 * they outlive it and keep their ports. So `start` first ends whatever a
 * previous run left in the working directory (by the pid files ss-manager
 * keeps there, checking each pid is still that program), and the agent then
 * adds every port afresh from the replicated state.
 *
 * ss-server applies the ACL to TCP only: the UDP guard's nftables table
 * (shadowsocks-udp-guard.ts) is loaded before ss-manager starts and removed
 * once every ss-server has ended.
 *
 * Every path handed to ss-manager is absolute: ss-manager passes its
 * `--manager-address` on to each ss-server, which daemonizes into `/`, so a
 * relative socket path (DATA_DIR defaults to `.data/<NODE_ID>`) would send
 * the ss-servers' traffic reports nowhere and every port would count 0.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { chmod, mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import unixDgram from "unix-dgram";
import type { Logger } from "../../shared/logger.ts";
import { sleep } from "../../shared/sleep.ts";
import { type CommandRunner, runCommand } from "./run-command.ts";
import { renderShadowsocksAcl } from "./shadowsocks-acl.ts";
import type {
  ManagedPort,
  PortTraffic,
  ShadowsocksDriver,
  ShadowsocksDriverError,
  ShadowsocksDriverResult,
} from "./shadowsocks-driver.ts";
import { ShadowsocksUdpGuardTable } from "./shadowsocks-udp-guard-table.ts";
import {
  addCommand,
  LIST_COMMAND,
  PING_COMMAND,
  parseCommandAnswer,
  parseListAnswer,
  parseStatAnswer,
  removeCommand,
} from "./ss-manager-protocol.ts";
import { readSystemResolvers } from "./system-resolvers.ts";

export interface SsManagerDriverOptions {
  /** DATA_DIR/shadowsocks (relative or absolute): the socket, ss-manager's working files, its pid. */
  workDir: string;
  /** The address every port listens on (SS_LISTEN_HOST). */
  listenHost: string;
  /** ss-manager's default cipher; every port is added with its own. */
  defaultMethod: string;
  /**
   * Networks no ss-server connects to for its clients (`address/prefix`,
   * BLOCKED_DESTINATIONS): the server's own loopback and private ranges.
   * Empty: none refused.
   */
  blockedDestinations: readonly string[];
  /** How long one command may wait for its answer. Default 5 000 ms. */
  answerTimeoutMs?: number;
  /** How long `start` waits for a new ss-manager to answer. Default 10 000 ms. */
  startTimeoutMs?: number;
  /** The program to run; `ss-manager` from PATH by default. */
  ssManagerPath?: string;
  /** The user the ss-servers run as, whom the UDP guard holds: this process's own by default. */
  ownerUid?: number;
  /** Runs `nft` for the UDP guard; runCommand by default. */
  runCommand?: CommandRunner;
  /** The resolvers the UDP guard leaves open on port 53; this host's (/etc/resolv.conf) by default. */
  systemResolvers?: () => Promise<readonly string[] | undefined>;
  logger: Logger;
}

const MANAGER_SOCKET = "manager.sock";
const CLIENT_SOCKET = "client.sock";
const MANAGER_PID = "ss-manager.pid";
const ACL_FILE = "outbound-block.acl";
/**
 * ss-manager's own working directory, apart from ours: at start it sends
 * SIGTERM to the pid in every `*pid` file there, which would include ours.
 */
const SERVERS_DIR = "servers";
/** ss-manager's own names for a port's files: `.shadowsocks_<port>.pid` and `.conf`. */
const PORT_FILE = /^\.shadowsocks_\d+\.(pid|conf)$/;

function failure(code: ShadowsocksDriverError["code"], message: string) {
  return { ok: false as const, error: { code, message } };
}

/** Whether `pid` runs `program` with `workDir` on its command line (so it is ours to end). */
async function isOurs(pid: number, program: string, workDir: string): Promise<boolean> {
  try {
    const commandLine = (await readFile(`/proc/${pid}/cmdline`, "utf8")).split("\0");
    return commandLine[0]!.endsWith(program) && commandLine.some((arg) => arg.includes(workDir));
  } catch {
    return false;
  }
}

async function readPid(file: string): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(file, "utf8")).trim());
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Gone already.
  }
}

export class SsManagerDriver implements ShadowsocksDriver {
  readonly kind = "ss-manager";
  private readonly answerTimeoutMs: number;
  private readonly startTimeoutMs: number;
  /** `options.workDir`, absolute. */
  private readonly workDir: string;
  private manager: ChildProcess | undefined;
  private socket: ReturnType<typeof unixDgram.createSocket> | undefined;
  private pendingAnswer: ((answer: string) => void) | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private lastStderr = "";
  private readonly udpGuard: ShadowsocksUdpGuardTable;

  constructor(private readonly options: SsManagerDriverOptions) {
    this.answerTimeoutMs = options.answerTimeoutMs ?? 5_000;
    this.startTimeoutMs = options.startTimeoutMs ?? 10_000;
    this.workDir = resolve(options.workDir);
    this.udpGuard = new ShadowsocksUdpGuardTable({
      ownerUid: options.ownerUid ?? process.getuid?.() ?? 0,
      blockedDestinations: options.blockedDestinations,
      systemResolvers: options.systemResolvers ?? (() => readSystemResolvers()),
      run: options.runCommand ?? runCommand,
      logger: options.logger,
    });
  }

  private path(name: string): string {
    return join(this.workDir, name);
  }

  private get serversDir(): string {
    return this.path(SERVERS_DIR);
  }

  async start(): Promise<ShadowsocksDriverResult<void>> {
    if (this.manager && this.manager.exitCode === null && this.manager.signalCode === null)
      return { ok: true, value: undefined };
    await this.stop();
    const guarded = await this.udpGuard.load();
    if (!guarded.ok) return guarded;
    await mkdir(this.serversDir, { recursive: true, mode: 0o700 });
    await chmod(this.workDir, 0o700);
    const started = await this.spawnManager();
    if (!started.ok) return started;
    this.openSocket();
    const deadline = Date.now() + this.startTimeoutMs;
    for (;;) {
      const answer = await this.request(PING_COMMAND, 500);
      if (answer.ok) return { ok: true, value: undefined };
      if (this.manager?.exitCode !== null || Date.now() >= deadline) {
        await this.stop();
        return failure(
          "SS_MANAGER_UNREACHABLE",
          `ss-manager did not answer on ${this.path(MANAGER_SOCKET)}${this.lastStderr ? `: ${this.lastStderr}` : ""}`,
        );
      }
      await sleep(100);
    }
  }

  private async spawnManager(): Promise<ShadowsocksDriverResult<void>> {
    const program = this.options.ssManagerPath ?? "ss-manager";
    const blocked = this.options.blockedDestinations;
    // Written before every start, so a changed list reaches every ss-server it starts.
    if (blocked.length > 0)
      await writeFile(this.path(ACL_FILE), renderShadowsocksAcl(blocked), { mode: 0o600 });
    const args = [
      "--manager-address",
      this.path(MANAGER_SOCKET),
      "-s",
      this.options.listenHost,
      "-m",
      this.options.defaultMethod,
      "-u",
      "-D",
      this.serversDir,
      ...(blocked.length > 0 ? ["--acl", this.path(ACL_FILE)] : []),
    ];
    return new Promise((resolve) => {
      const child = spawn(program, args, { stdio: ["ignore", "ignore", "pipe"] });
      child.stderr?.on("data", (chunk: Buffer) => {
        this.lastStderr = chunk.toString("utf8").trim().split("\n").at(-1) ?? "";
      });
      child.once("error", (error: NodeJS.ErrnoException) => {
        this.manager = undefined;
        resolve(
          error.code === "ENOENT"
            ? failure("SS_TOOL_MISSING", `${program} is not installed: install shadowsocks-libev`)
            : failure("SS_MANAGER_UNREACHABLE", `cannot start ${program}: ${error.message}`),
        );
      });
      child.once("spawn", () => {
        this.manager = child;
        // Written before start goes on, so the file never names a half-written pid.
        writeFile(this.path(MANAGER_PID), `${child.pid}\n`, { mode: 0o600 }).then(
          () => resolve({ ok: true, value: undefined }),
          (error: Error) => {
            this.options.logger.warn({ err: error.message }, "cannot record ss-manager's pid");
            resolve({ ok: true, value: undefined });
          },
        );
      });
      child.once("exit", (code, exitSignal) => {
        if (this.manager === child)
          this.options.logger.warn(
            { code, signal: exitSignal, stderr: this.lastStderr },
            "ss-manager exited",
          );
      });
    });
  }

  private openSocket(): void {
    const socket = unixDgram.createSocket("unix_dgram");
    socket.on("message", (message) => {
      const answer = this.pendingAnswer;
      this.pendingAnswer = undefined;
      answer?.(message.toString("utf8"));
    });
    socket.on("error", (error) => {
      this.options.logger.debug({ err: error.message }, "ss-manager socket error");
    });
    socket.bind(this.path(CLIENT_SOCKET));
    this.socket = socket;
  }

  /** Sends one command and waits for its answer; one command at a time. */
  private request(command: string, timeoutMs = this.answerTimeoutMs) {
    const run = this.queue.then(() => this.exchange(command, timeoutMs));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private exchange(command: string, timeoutMs: number): Promise<ShadowsocksDriverResult<string>> {
    const socket = this.socket;
    if (!socket)
      return Promise.resolve(failure("SS_MANAGER_UNREACHABLE", "ss-manager is not running"));
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pendingAnswer = undefined;
        // A late answer must not be taken for the next command's: answers go to a fresh socket.
        this.closeSocket();
        if (this.manager) this.openSocket();
        resolve(
          failure(
            "SS_MANAGER_UNREACHABLE",
            `ss-manager did not answer ${command.split(":")[0]} in ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      this.pendingAnswer = (answer) => {
        clearTimeout(timer);
        resolve({ ok: true, value: answer });
      };
      const bytes = Buffer.from(command, "utf8");
      socket.send(bytes, 0, bytes.length, this.path(MANAGER_SOCKET), (error) => {
        if (!error) return;
        clearTimeout(timer);
        this.pendingAnswer = undefined;
        resolve(failure("SS_MANAGER_UNREACHABLE", `cannot reach ss-manager: ${error.message}`));
      });
    });
  }

  async listPorts(): Promise<ShadowsocksDriverResult<ManagedPort[]>> {
    const answer = await this.request(LIST_COMMAND);
    return answer.ok ? parseListAnswer(answer.value) : answer;
  }

  async addPort(port: ManagedPort): Promise<ShadowsocksDriverResult<void>> {
    const answer = await this.request(addCommand(port));
    return answer.ok ? parseCommandAnswer(answer.value) : answer;
  }

  async removePort(port: number): Promise<ShadowsocksDriverResult<void>> {
    const answer = await this.request(removeCommand(port));
    return answer.ok ? parseCommandAnswer(answer.value) : answer;
  }

  async readTraffic(): Promise<ShadowsocksDriverResult<PortTraffic[]>> {
    const answer = await this.request(PING_COMMAND);
    return answer.ok ? parseStatAnswer(answer.value) : answer;
  }

  private closeSocket(): void {
    try {
      this.socket?.close();
    } catch {
      // Closed already.
    }
    this.socket = undefined;
  }

  /**
   * Ends ss-manager (which stops its ss-servers) and anything a killed run
   * left: the ss-manager and ss-servers named by pid files in the working
   * directory, if they still run from it.
   */
  async stop(): Promise<void> {
    const child = this.manager;
    this.manager = undefined;
    this.closeSocket();
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await Promise.race([exited, sleep(3_000)]);
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
    await this.endLeftovers();
    await this.udpGuard.remove();
  }

  private async endLeftovers(): Promise<void> {
    const { workDir } = this;
    const managerPid = await readPid(this.path(MANAGER_PID));
    if (managerPid !== undefined && (await isOurs(managerPid, "ss-manager", workDir)))
      signal(managerPid, "SIGKILL");
    let names: string[] = [];
    try {
      names = await readdir(this.serversDir);
    } catch {
      // Never started here.
    }
    for (const name of names) {
      if (!PORT_FILE.test(name)) continue;
      if (name.endsWith(".pid")) {
        const pid = await readPid(join(this.serversDir, name));
        if (pid !== undefined && (await isOurs(pid, "ss-server", workDir))) signal(pid, "SIGKILL");
      }
      await rm(join(this.serversDir, name), { force: true });
    }
    for (const name of [MANAGER_PID, MANAGER_SOCKET, CLIENT_SOCKET])
      await rm(this.path(name), { force: true });
  }
}
