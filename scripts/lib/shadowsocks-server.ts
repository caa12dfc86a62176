/**
 * A real `ss-server` (Debian's shadowsocks-libev) for tests: on a free
 * loopback port, or inside a network namespace a test made, waited for until
 * its port accepts connections, and stopped by its PID. It dies with the
 * process that started it (see executables.ts).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { runCommand } from "../../cluster/agent/run-command.ts";
import type { ShadowsocksMethod } from "../../shared/shadowsocks-method.ts";
import { sleep } from "../../shared/sleep.ts";
import { diesWithParent } from "./executables.ts";
import { trackChild, untrackChild } from "./exit-cleanup.ts";
import { findFreePort } from "./free-port.ts";
import { acceptsTcp } from "./tcp-accepts.ts";

export interface ShadowsocksServerOptions {
  method: ShadowsocksMethod;
  password: string;
  /** Address to listen on; default 127.0.0.1. */
  host?: string;
  /** Default a free loopback port. */
  port?: number;
  /** Runs the server inside this network namespace (`ip netns exec`). */
  namespace?: string;
}

export interface ShadowsocksServerHandle {
  readonly host: string;
  readonly port: number;
  readonly pid: number;
  /** SIGTERM, then SIGKILL if it has not exited within 5 s. */
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 5_000;
const OUTPUT_TAIL_CHARS = 2_000;

/** Whether `port` is listened on inside `namespace`, as iproute2's `ss` lists it. */
async function listensInNamespace(namespace: string, port: number): Promise<boolean> {
  const listed = await runCommand(
    "ip",
    ["netns", "exec", namespace, "ss", "-Hltn", `sport = :${port}`],
    {
      timeoutMs: 5_000,
    },
  );
  return listed.ok && listed.value.stdout.trim() !== "";
}

async function listening(
  child: ChildProcess,
  options: ShadowsocksServerOptions,
  host: string,
  port: number,
): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`ss-server on ${host}:${port} exited during start`);
    const serving =
      options.namespace === undefined
        ? await acceptsTcp(host, port)
        : await listensInNamespace(options.namespace, port);
    if (serving) return;
    await sleep(50);
  }
  throw new Error(
    `ss-server on ${host}:${port} did not accept connections within ${START_TIMEOUT_MS} ms`,
  );
}

/** Starts ss-server and resolves once it serves; on failure nothing is left running. */
export async function startShadowsocksServer(
  options: ShadowsocksServerOptions,
): Promise<ShadowsocksServerHandle> {
  const host = options.host ?? "127.0.0.1";
  const port = options.port ?? (await findFreePort());
  const serverArgs = ["-s", host, "-p", String(port), "-k", options.password, "-m", options.method];
  const [command, args] =
    options.namespace === undefined
      ? diesWithParent("ss-server", serverArgs)
      : diesWithParent("ip", ["netns", "exec", options.namespace, "ss-server", ...serverArgs]);
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  let outputTail = "";
  const keepTail = (chunk: Buffer) => {
    outputTail = (outputTail + chunk.toString()).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout?.on("data", keepTail);
  child.stderr?.on("data", keepTail);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.once("error", () => {});
  trackChild(child);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const gone = await Promise.race([
        exited.then(() => true),
        sleep(STOP_GRACE_MS).then(() => false),
      ]);
      if (!gone) {
        child.kill("SIGKILL");
        await exited;
      }
    }
    untrackChild(child);
  };
  try {
    await listening(child, options, host, port);
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}:\n${outputTail}`);
  }
  return { host, port, pid: child.pid ?? 0, stop };
}
