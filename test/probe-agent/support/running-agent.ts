/**
 * A probe agent on 127.0.0.1 with an ephemeral port and a scripted probe
 * function, over HTTP or (given a certificate) HTTPS, recording every request
 * that reached it.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  createProbeAgentServer,
  type ProbeAgentServerOptions,
  type ProbeFunction,
} from "../../../probe-agent/agent-server.ts";
import type { ProbeOutcome, ProbeTarget } from "../../../shared/probe/probe-request.ts";
import { sleep } from "../../../shared/sleep.ts";

export const AGENT_TOKEN = "probe-agent-token-for-tests-0123";

/** One call the agent made to its probe function. */
export interface ProbeCall {
  target: ProbeTarget;
  timeoutMs: number;
  signal: AbortSignal | undefined;
}

/** One HTTP request the agent received, whatever it was. */
export interface SeenRequest {
  method: string;
  url: string;
  authorization: string | undefined;
}

export interface RunningAgent {
  /** `http://127.0.0.1:<port>`, or `https://` with a certificate; no trailing slash. */
  url: string;
  port: number;
  calls: ProbeCall[];
  /** Every request that reached the agent's HTTP layer, authorized or not. */
  requests: SeenRequest[];
  /** TCP connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

export async function listenOnLoopback(server: Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

export async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** A probe function that always answers `outcome` at once. */
export function answering(outcome: ProbeOutcome): ProbeFunction {
  return async () => outcome;
}

/** Starts an agent whose probe function is `probe`, recording every call. */
export async function startAgent(
  probe: ProbeFunction,
  options: Partial<Omit<ProbeAgentServerOptions, "probe">> = {},
): Promise<RunningAgent> {
  const calls: ProbeCall[] = [];
  const requests: SeenRequest[] = [];
  const server = createProbeAgentServer({
    token: AGENT_TOKEN,
    maxConcurrentProbes: 8,
    ...options,
    probe: (target, probeOptions) => {
      calls.push({ target, timeoutMs: probeOptions.timeoutMs, signal: probeOptions.signal });
      return probe(target, probeOptions);
    },
  });
  server.prependListener("request", (request) => {
    requests.push({
      method: request.method ?? "",
      url: request.url ?? "",
      authorization: request.headers.authorization,
    });
  });
  let connections = 0;
  server.on("connection", () => connections++);
  const port = await listenOnLoopback(server);
  const scheme = options.tls ? "https" : "http";
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    port,
    calls,
    requests,
    connections: () => connections,
    close: () => closeServer(server),
  };
}

/** Polls `condition` every 5 ms; fails after `timeoutMs`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await sleep(5);
  }
}
