import { readFile } from "node:fs/promises";
import { createServer } from "node:net";

/**
 * A free port on 127.0.0.1 below the kernel's ephemeral range, checked by
 * binding it. Outgoing connections and other processes' port-0 listeners take
 * their ports from inside that range, so on a busy machine they could take a
 * port from there between this check and the caller's bind; below it, only
 * another caller choosing the same port at random can. Callers that can,
 * still retry on EADDRINUSE.
 */
export function findFreePort(): Promise<number> {
  return freePortBlockBelowEphemeralRange(1);
}

/** `count` distinct free loopback ports. */
export async function findFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  // Random choices among some 20 000 ports rarely repeat; the bound only stops a pathological loop.
  for (let attempt = 0; ports.size < count && attempt < count * 10; attempt++) {
    ports.add(await findFreePort());
  }
  if (ports.size < count) throw new Error(`found only ${ports.size} of ${count} free ports`);
  return [...ports];
}

const LOWEST_BLOCK_PORT = 10_000;
/** Linux's default start of the ephemeral range, where /proc cannot be read. */
const DEFAULT_LOWEST_EPHEMERAL = 32_768;
const BLOCK_ATTEMPTS = 20;

/**
 * The first of `span` consecutive loopback ports, all free when checked,
 * below the kernel's ephemeral range: for a process under test that binds a
 * block of ports itself later. Inside that range, other processes' port-0
 * servers and outgoing connections may take one of them in the meantime.
 */
export async function freePortBlockBelowEphemeralRange(span: number): Promise<number> {
  const range = await readFile("/proc/sys/net/ipv4/ip_local_port_range", "utf8").catch(() => "");
  const lowestEphemeral = Number(range.trim().split(/\s+/)[0]) || DEFAULT_LOWEST_EPHEMERAL;
  const highestFirst = lowestEphemeral - span;
  if (highestFirst <= LOWEST_BLOCK_PORT) {
    throw new Error(`no room for ${span} ports below the ephemeral range at ${lowestEphemeral}`);
  }
  for (let attempt = 0; attempt < BLOCK_ATTEMPTS; attempt++) {
    const first =
      LOWEST_BLOCK_PORT + Math.floor(Math.random() * (highestFirst - LOWEST_BLOCK_PORT));
    if (await allFree(first, span)) return first;
  }
  throw new Error(`no ${span} free consecutive ports found below ${lowestEphemeral}`);
}

async function allFree(first: number, span: number): Promise<boolean> {
  for (let port = first; port < first + span; port++) {
    if (!(await isFree(port))) return false;
  }
  return true;
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}
