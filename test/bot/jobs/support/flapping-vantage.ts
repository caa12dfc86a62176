/**
 * A vantage probe that flaps: the real probe agent server, on loopback over
 * HTTPS with a self-signed certificate as an agent makes one, whose probes
 * alternate per target between a timeout and success whatever the target
 * does, as a vantage on a link that comes and goes would report.
 */
import { createProbeAgentServer } from "../../../../probe-agent/agent-server.ts";
import { agentCertificate, makeSelfSignedCertificate } from "../../../../probe-agent/agent-tls.ts";
import type { ProbeOutcome, ProbeTarget } from "../../../../shared/probe/probe-request.ts";
import { listenOnLoopback } from "../../../shared/probe/support/loopback-server.ts";

export interface FlappingVantage {
  url: string;
  /** Its certificate's fingerprint, to pin. */
  certSha256: string;
  /** Failures it reported for probes of `host`, all kinds together. */
  failuresFor(host: string): number;
  close(): Promise<void>;
}

/** Starts a flapping vantage that answers requests carrying `token`; its first answer per target fails. */
export async function startFlappingVantage(token: string): Promise<FlappingVantage> {
  const answered = new Map<string, number>();
  const failures = new Map<string, number>();
  const probe = async (target: ProbeTarget): Promise<ProbeOutcome> => {
    const key = `${target.protocol}://${target.host}:${target.port}`;
    const count = answered.get(key) ?? 0;
    answered.set(key, count + 1);
    if (count % 2 === 1) return { ok: true, rttMs: 1 };
    failures.set(target.host, (failures.get(target.host) ?? 0) + 1);
    return { ok: false, error: "generic_timeout_error" };
  };
  const made = await makeSelfSignedCertificate();
  const certificate = agentCertificate(Buffer.from(made.cert), Buffer.from(made.key), "flapping");
  if (!certificate.ok) throw new Error(certificate.error.message);
  const { cert, key, certSha256 } = certificate.value;
  const listener = await listenOnLoopback(
    createProbeAgentServer({ token, probe, maxConcurrentProbes: 32, tls: { cert, key } }),
  );
  return {
    url: `https://127.0.0.1:${listener.port}`,
    certSha256,
    failuresFor: (host) => failures.get(host) ?? 0,
    close: () => listener.close(),
  };
}
