import { readFile } from "node:fs/promises";
import { createServer } from "node:net";

/**
 * Set by the test runner for each suite it runs beside others: `<slot>/<slots>`,
 * the share of the ports below the ephemeral range this suite picks from.
 * Suites running at once then never pick the same port: a port a suite's
 * killed node leaves free, for its restart, cannot be taken by another suite
 * in the meantime. Unset, a process picks from the whole range.
 */
export const PORT_SLOT_VARIABLE = "NEXALOAK_TEST_PORT_SLOT";

/**
 * A free port on 127.0.0.1 below the kernel's ephemeral range, checked by
 * binding it. Outgoing connections and other processes' port-0 listeners take
 * their ports from inside that range, so on a busy machine they could take a
 * port from there between this check and the caller's bind; below it, only
 * another caller choosing the same port can, and the slot (above) and the
 * ports already handed out (below) keep those apart. Callers that can, still
 * retry on EADDRINUSE.
 */
export function findFreePort(): Promise<number> {
  return freePortBlockBelowEphemeralRange(1);
}

/** `count` distinct free loopback ports. */
export async function findFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  // Random choices among thousands of ports rarely repeat; the bound only stops a pathological loop.
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
 * Every port this process has handed out. A process that kills one of its
 * servers and starts it again on the same port must find that port still
 * free: no later call in the same process hands it to another server.
 */
const handedOut = new Set<number>();

/** The ports `[low, high)` a process in `slotSpec` (`<slot>/<slots>`, or none) picks from. */
export function portRangeOfSlot(
  lowestEphemeral: number,
  slotSpec: string | undefined,
): { low: number; high: number } {
  if (slotSpec === undefined || slotSpec === "")
    return { low: LOWEST_BLOCK_PORT, high: lowestEphemeral };
  const match = /^(\d{1,3})\/(\d{1,3})$/.exec(slotSpec);
  const slot = Number(match?.[1]);
  const slots = Number(match?.[2]);
  if (!match || slots < 1 || slot >= slots) {
    throw new Error(
      `${PORT_SLOT_VARIABLE} must be <slot>/<slots> with slot < slots, not "${slotSpec}"`,
    );
  }
  const width = Math.floor((lowestEphemeral - LOWEST_BLOCK_PORT) / slots);
  const low = LOWEST_BLOCK_PORT + slot * width;
  return { low, high: low + width };
}

/**
 * The first of `span` consecutive loopback ports, all free when checked,
 * below the kernel's ephemeral range: for a process under test that binds a
 * block of ports itself later. Inside that range, other processes' port-0
 * servers and outgoing connections may take one of them in the meantime.
 */
export async function freePortBlockBelowEphemeralRange(span: number): Promise<number> {
  const range = await readFile("/proc/sys/net/ipv4/ip_local_port_range", "utf8").catch(() => "");
  const lowestEphemeral = Number(range.trim().split(/\s+/)[0]) || DEFAULT_LOWEST_EPHEMERAL;
  const { low, high } = portRangeOfSlot(lowestEphemeral, process.env[PORT_SLOT_VARIABLE]);
  const highestFirst = high - span;
  if (highestFirst <= low) {
    throw new Error(`no room for ${span} ports below the ephemeral range at ${lowestEphemeral}`);
  }
  for (let attempt = 0; attempt < BLOCK_ATTEMPTS; attempt++) {
    const first = low + Math.floor(Math.random() * (highestFirst - low));
    if (await allFree(first, span)) {
      for (let port = first; port < first + span; port++) handedOut.add(port);
      return first;
    }
  }
  throw new Error(`no ${span} free consecutive ports found in ${low}-${high - 1}`);
}

async function allFree(first: number, span: number): Promise<boolean> {
  for (let port = first; port < first + span; port++) {
    if (handedOut.has(port) || !(await isFree(port))) return false;
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
