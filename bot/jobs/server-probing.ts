/**
 * Probes one server for one ban-check round: the control probes from this
 * node (outside the censored network) and the same probes through every
 * vantage probe inside it, all at once, each bounded by the probe timeout.
 * What was seen goes to the pure verdict (ban-verdict.ts).
 *
 * Probe kinds: `tcp` to the node's own public port, which every server
 * exposes; `wireguard`, a real handshake as the server's probe peer, when
 * the server has one (servers on the dry-run driver have none); and
 * `shadowsocks`, a real request through the server's Shadowsocks probe port
 * to the node's own `/healthz`, when the server serves one. A server with
 * both protocols gets a verdict per protocol (protocol-verdicts.ts).
 */
import type { Server, VantageProbe } from "../../cluster/fsm/records.ts";
import type { ProbeOutcome, ProbeProtocol, ProbeTarget } from "../../shared/probe/probe-request.ts";
import type { Result } from "../../shared/result.ts";
import type { ShadowsocksMethod } from "../../shared/shadowsocks-method.ts";
import {
  DEFAULT_VERDICT_POLICY,
  type OutcomesByKind,
  type VantageReport,
  type VerdictPolicy,
} from "./ban-verdict.ts";
import { type CheckVerdict, decideCheck } from "./protocol-verdicts.ts";
import type { AskVantageProbeOptions, VantageProbeResult } from "./vantage-probe-client.ts";

/** A vantage probe with its token, and its own WireGuard probe key when it has one, opened. */
export interface OpenedVantage {
  probe: Pick<VantageProbe, "id" | "url" | "isp" | "certSha256" | "insecure">;
  token: string;
  /** Undefined: the vantage handshakes as the server's own probe peer. */
  probeKey?: string;
}

export interface ServerCheckDeps {
  /** Probes from this node: the control. Never throws. */
  probe: (
    target: ProbeTarget,
    options: { timeoutMs: number; signal?: AbortSignal },
  ) => Promise<ProbeOutcome>;
  /** Asks a vantage probe. Never throws. */
  askVantage: (options: AskVantageProbeOptions) => Promise<VantageProbeResult>;
}

export interface ServerCheckInput {
  server: Pick<Server, "id" | "endpointHost" | "apiPort" | "listenPort" | "publicKey">;
  /** The probe peer's private key; undefined when the server has no probe peer. */
  probeKey: string | undefined;
  /** The server's Shadowsocks probe port with its password opened; undefined when it serves none. */
  shadowsocks?: ShadowsocksProbeAccess | undefined;
  vantages: readonly OpenedVantage[];
  timeoutMs: number;
  policy?: VerdictPolicy;
  signal?: AbortSignal;
}

/** A Shadowsocks port ban checks may use on a server, with its password. */
export interface ShadowsocksProbeAccess {
  port: number;
  method: ShadowsocksMethod;
  password: string;
}

/** What the HTTP exchange with a vantage may add to the probe's own timeout. */
const VANTAGE_EXCHANGE_MS = 5000;

/** The targets probed on `server`, by kind; an error when it has no known endpoint. */
export function probeTargets(
  server: ServerCheckInput["server"],
  probeKey: string | undefined,
  shadowsocks?: ShadowsocksProbeAccess,
): Result<Map<ProbeProtocol, ProbeTarget>, "NO_ENDPOINT"> {
  const host = server.endpointHost;
  if (host === null)
    return {
      ok: false,
      error: { code: "NO_ENDPOINT", message: `server ${server.id} has no public endpoint yet` },
    };
  const targets = new Map<ProbeProtocol, ProbeTarget>([
    ["tcp", { host, port: server.apiPort, protocol: "tcp" }],
  ]);
  if (probeKey !== undefined)
    targets.set("wireguard", {
      host,
      port: server.listenPort,
      protocol: "wireguard",
      serverPublicKey: server.publicKey,
      probeKey,
    });
  if (shadowsocks !== undefined)
    targets.set("shadowsocks", {
      host,
      port: shadowsocks.port,
      protocol: "shadowsocks",
      shadowsocks: {
        method: shadowsocks.method,
        password: shadowsocks.password,
        // The node's own port as the server itself reaches it: an answer only the relay can give.
        relayTo: { host, port: server.apiPort },
      },
    });
  return { ok: true, value: targets };
}

async function byKind(
  targets: Map<ProbeProtocol, ProbeTarget>,
  run: (target: ProbeTarget) => Promise<ProbeOutcome | null>,
): Promise<OutcomesByKind> {
  const kinds = [...targets.keys()];
  const outcomes = await Promise.all(kinds.map((kind) => run(targets.get(kind)!)));
  return Object.fromEntries(kinds.map((kind, i) => [kind, outcomes[i] ?? null]));
}

/** Probes `server` from here and from every vantage, then decides its verdict. */
export async function checkServer(
  input: ServerCheckInput,
  deps: ServerCheckDeps,
): Promise<Result<CheckVerdict, "NO_ENDPOINT">> {
  const targets = probeTargets(input.server, input.probeKey, input.shadowsocks);
  if (!targets.ok) return targets;
  const { timeoutMs, signal } = input;
  const control = byKind(targets.value, (target) =>
    deps.probe(target, { timeoutMs, ...(signal ? { signal } : {}) }),
  );
  const vantages = Promise.all(
    input.vantages.map(async ({ probe, token, probeKey }): Promise<VantageReport> => {
      const errors = new Set<string>();
      const outcomes = await byKind(targets.value, async (target) => {
        const answer = await deps.askVantage({
          url: probe.url,
          token,
          certSha256: probe.certSha256,
          insecure: probe.insecure,
          request: {
            target:
              target.protocol === "wireguard" && probeKey !== undefined
                ? { ...target, probeKey }
                : target,
            timeoutMs,
          },
          fetchTimeoutMs: VANTAGE_EXCHANGE_MS,
          ...(signal ? { signal } : {}),
        });
        // A vantage that cannot answer says nothing about the server; why goes to the evidence.
        if (answer.ok) return answer.value;
        errors.add(answer.error.code);
        return null;
      });
      const anyAnswer = Object.values(outcomes).some((outcome) => outcome !== null);
      if (anyAnswer) return { id: probe.id, isp: probe.isp, outcomes };
      const error = [...errors].sort()[0];
      return { id: probe.id, isp: probe.isp, outcomes: null, ...(error ? { error } : {}) };
    }),
  );
  return {
    ok: true,
    value: decideCheck(await control, await vantages, input.policy ?? DEFAULT_VERDICT_POLICY),
  };
}
