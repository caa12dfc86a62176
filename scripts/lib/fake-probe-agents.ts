/**
 * Probe agents as vantage points run them (the real HTTPS server of
 * probe-agent/agent-server.ts, on 127.0.0.1, with a self-signed certificate
 * as an agent makes one, for the leader to pin), measuring nothing: each
 * probe answers after a random delay, and fails as a filtered port would for
 * the ports it is told are filtered inside the censored network.
 */
import type { Server } from "node:http";
import { createProbeAgentServer, type ProbeFunction } from "../../probe-agent/agent-server.ts";
import { agentCertificate, makeSelfSignedCertificate } from "../../probe-agent/agent-tls.ts";
import type { ProbeOutcome } from "../../shared/probe/probe-request.ts";

export interface FakeProbeAgentsOptions {
  count: number;
  /** PROBE_AGENT_TOKEN of every agent. */
  token: string;
  /** Probes of these ports fail with `connection_reset`; all others succeed. */
  filteredPorts: ReadonlySet<number>;
  /** Each probe answers after a delay drawn uniformly from this range. */
  delayMs: { min: number; max: number };
  maxConcurrentProbes: number;
}

export interface FakeProbeAgents {
  /** One `https://127.0.0.1:<port>` per agent. */
  readonly urls: readonly string[];
  /** The SHA-256 fingerprint of the certificate every agent serves: pin it. */
  readonly certSha256: string;
  /** Probes answered so far, by all agents together. */
  probesAnswered(): number;
  close(): Promise<void>;
}

/** Resolves after `ms`, or at once with false when `signal` aborts first. */
function delay(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const aborted = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", aborted);
      resolve(true);
    }, ms);
    signal?.addEventListener("abort", aborted, { once: true });
  });
}

function fakeProbe(options: FakeProbeAgentsOptions, answered: () => void): ProbeFunction {
  const { min, max } = options.delayMs;
  return async (target, { signal }): Promise<ProbeOutcome> => {
    const delayMs = min + Math.random() * (max - min);
    if (!(await delay(delayMs, signal))) return { ok: false, error: "interrupted" };
    answered();
    return options.filteredPorts.has(target.port)
      ? { ok: false, error: "connection_reset" }
      : { ok: true, rttMs: Math.round(delayMs) };
  };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      const address = server.address();
      resolve(typeof address === "object" && address !== null ? address.port : 0);
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Kept-alive connections from the prober would otherwise hold the server open.
    server.closeAllConnections();
  });
}

/** Starts `count` agents; on failure none is left listening. */
export async function startFakeProbeAgents(
  options: FakeProbeAgentsOptions,
): Promise<FakeProbeAgents> {
  let answered = 0;
  const probe = fakeProbe(options, () => answered++);
  const made = await makeSelfSignedCertificate();
  const certificate = agentCertificate(
    Buffer.from(made.cert),
    Buffer.from(made.key),
    "fake agents",
  );
  if (!certificate.ok) throw new Error(certificate.error.message);
  const { cert, key, certSha256 } = certificate.value;
  const servers: Server[] = [];
  const urls: string[] = [];
  try {
    for (let position = 0; position < options.count; position++) {
      const server = createProbeAgentServer({
        token: options.token,
        probe,
        maxConcurrentProbes: options.maxConcurrentProbes,
        tls: { cert, key },
      });
      servers.push(server);
      urls.push(`https://127.0.0.1:${await listen(server)}`);
    }
  } catch (error) {
    await Promise.all(servers.map(close));
    throw error;
  }
  return {
    urls,
    certSha256,
    probesAnswered: () => answered,
    close: async () => {
      await Promise.all(servers.map(close));
    },
  };
}
