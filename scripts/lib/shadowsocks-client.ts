/**
 * A Shadowsocks client for tests and benchmarks: `ss-local` (shadowsocks-libev)
 * on a free loopback port, and a minimal SOCKS5 client that fetches a page
 * through it, as a user's app would through the access key.
 */
import { spawn } from "node:child_process";
import { connect } from "node:net";
import type { ShadowsocksKey } from "../../cluster/client-config/shadowsocks-key.ts";
import { sleep } from "../../shared/sleep.ts";
import { diesWithParent } from "./executables.ts";
import { trackChild, untrackChild } from "./exit-cleanup.ts";
import { findFreePort } from "./free-port.ts";

export interface ShadowsocksClient {
  /** The SOCKS5 port ss-local listens on (127.0.0.1). */
  socksPort: number;
  pid: number;
  stop(): Promise<void>;
}

/** Starts ss-local for `key`; resolves once its SOCKS5 port accepts connections (at most 5 s). */
export async function startShadowsocksClient(
  key: Pick<ShadowsocksKey, "host" | "port" | "method" | "password">,
): Promise<ShadowsocksClient> {
  const socksPort = await findFreePort();
  const args = ["-s", key.host, "-p", String(key.port), "-b", "127.0.0.1", "-l", String(socksPort)];
  const [command, wrapped] = diesWithParent("ss-local", [
    ...args,
    "-k",
    key.password,
    "-m",
    key.method,
  ]);
  const child = spawn(command, wrapped, { stdio: "ignore" });
  trackChild(child);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    child.kill("SIGTERM");
    await Promise.race([exited, sleep(2_000)]);
    child.kill("SIGKILL");
    untrackChild(child);
  };
  for (let attempt = 0; attempt < 100; attempt++) {
    if (await accepts(socksPort)) return { socksPort, pid: child.pid!, stop };
    await sleep(50);
  }
  await stop();
  throw new Error(`ss-local did not listen on 127.0.0.1:${socksPort}`);
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/**
 * GETs `http://<host>:<port><path>` (an IPv4 host) through the SOCKS5 proxy on
 * `socksPort`: resolves with the whole response, head and body, or rejects
 * when the proxy refuses, the connection fails or `timeoutMs` passes.
 */
export function fetchThroughSocks(
  socksPort: number,
  target: { host: string; port: number; path: string },
  timeoutMs = 5_000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(socksPort, "127.0.0.1");
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer through the proxy in ${timeoutMs} ms`));
    }, timeoutMs);
    let stage: "greeting" | "connect" | "response" = "greeting";
    let buffered = Buffer.alloc(0);
    const fail = (message: string) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new Error(message));
    };
    socket.once("connect", () => socket.write(Buffer.from([5, 1, 0])));
    socket.on("data", (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (stage === "greeting" && buffered.length >= 2) {
        if (buffered[0] !== 5 || buffered[1] !== 0) return fail("the proxy refused the greeting");
        buffered = buffered.subarray(2);
        stage = "connect";
        const address = target.host.split(".").map(Number);
        const port = Buffer.alloc(2);
        port.writeUInt16BE(target.port);
        socket.write(Buffer.concat([Buffer.from([5, 1, 0, 1, ...address]), port]));
      }
      if (stage === "connect" && buffered.length >= 10) {
        if (buffered[1] !== 0)
          return fail(`the proxy could not connect (SOCKS5 reply ${buffered[1]})`);
        buffered = buffered.subarray(10);
        stage = "response";
        socket.write(`GET ${target.path} HTTP/1.0\r\nHost: ${target.host}\r\n\r\n`);
      }
    });
    socket.once("end", () => {
      clearTimeout(timer);
      if (stage !== "response" || buffered.length === 0)
        reject(new Error("the proxy closed the connection without an answer"));
      else resolve(buffered.toString("utf8"));
    });
    socket.once("error", (error) => fail(error.message));
  });
}
