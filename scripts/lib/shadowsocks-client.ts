/**
 * A Shadowsocks client for tests and benchmarks: `ss-local` (shadowsocks-libev)
 * on a free loopback port, and a minimal SOCKS5 client that fetches a page
 * through it, as a user's app would through the access key.
 */
import { spawn } from "node:child_process";
import { connect } from "node:net";
import type { ShadowsocksKey } from "../../cluster/client-config/shadowsocks-key.ts";
import { encodeTargetAddress } from "../../shared/shadowsocks/target-address.ts";
import { sleep } from "../../shared/sleep.ts";
import { diesWithParent } from "./executables.ts";
import { trackChild, untrackChild } from "./exit-cleanup.ts";
import { findFreePort } from "./free-port.ts";
import { acceptsTcp } from "./tcp-accepts.ts";

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
    if (await acceptsTcp("127.0.0.1", socksPort)) return { socksPort, pid: child.pid!, stop };
    await sleep(50);
  }
  await stop();
  throw new Error(`ss-local did not listen on 127.0.0.1:${socksPort}`);
}

/**
 * Where tests and benchmarks serve the page a proxy fetches: a loopback
 * address apart from 127.0.0.1, where nodes and their Redis listen.
 */
export const LOOPBACK_PAGE_HOST = "127.0.0.7";

/**
 * BLOCKED_DESTINATIONS for a server on loopback: 127.0.0.1 (its Redis and
 * API) and every other way to it (0.0.0.0, ::1, ::ffff:127.0.0.1) are
 * refused, while a page at {@link LOOPBACK_PAGE_HOST} stays reachable.
 */
export const BLOCKED_BESIDE_LOOPBACK_PAGE: readonly string[] = [
  "0.0.0.0/8",
  "127.0.0.1/32",
  "::/96",
  "::ffff:0:0/96",
];

/**
 * GETs `http://<host>:<port><path>` through the SOCKS5 proxy on `socksPort`:
 * resolves with the whole response, head and body, or rejects when the proxy
 * refuses, the connection fails or `timeoutMs` passes.
 */
export function fetchThroughSocks(
  socksPort: number,
  target: { host: string; port: number; path: string },
  timeoutMs = 5_000,
): Promise<string> {
  return exchangeThroughSocks(
    socksPort,
    target,
    `GET ${target.path} HTTP/1.0\r\nHost: ${target.host}\r\n\r\n`,
    timeoutMs,
  );
}

/**
 * Sends `request` to `host:port` (IPv4, IPv6 without a dotted tail, or a
 * name) through the SOCKS5 proxy on `socksPort` and resolves with everything
 * the target sent until it closed; rejects when the proxy refuses, the target
 * closes without a byte (as a proxy does when it may not connect) or
 * `timeoutMs` passes.
 */
export function exchangeThroughSocks(
  socksPort: number,
  target: { host: string; port: number },
  request: string,
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
        // SOCKS5 names its target as Shadowsocks does: type, address, port.
        const address = encodeTargetAddress(target.host, target.port);
        if (!address.ok) return fail(address.error.message);
        socket.write(Buffer.concat([Buffer.from([5, 1, 0]), address.value]));
      }
      // ss-local answers with an IPv4 bound address whatever the target: 10 bytes.
      if (stage === "connect" && buffered.length >= 10) {
        if (buffered[1] !== 0)
          return fail(`the proxy could not connect (SOCKS5 reply ${buffered[1]})`);
        buffered = buffered.subarray(10);
        stage = "response";
        socket.write(request);
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
