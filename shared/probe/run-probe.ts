/**
 * The one entry point for measuring a VPN server, used alike by the leader's
 * control probes and by the probe agent at vantage points.
 */
import { failedOutcome, failureOfError } from "./probe-failure.ts";
import { type ProbeOutcome, type ProbeTarget, probeRequestSchema } from "./probe-request.ts";
import { probeShadowsocks } from "./shadowsocks-probe.ts";
import { probeTcp } from "./tcp-probe.ts";
import { probeTls } from "./tls-probe.ts";
import { probeWireGuard } from "./wireguard-probe.ts";

/**
 * Probes `target` with its protocol's probe and resolves with what it saw:
 * `ok` with `rttMs`, or the failure's OONI-style name (`invalid_request` for
 * a target or timeout that fails validation, `interrupted` when `signal`
 * aborts). Never throws, never rejects.
 */
export async function runProbe(
  target: ProbeTarget,
  options: { timeoutMs: number; signal?: AbortSignal },
): Promise<ProbeOutcome> {
  const request = probeRequestSchema.safeParse({ target, timeoutMs: options.timeoutMs });
  if (!request.success) return failedOutcome("invalid_request");
  const { host, port, protocol, serverPublicKey, probeKey, shadowsocks } = request.data.target;
  const probeOptions = { timeoutMs: request.data.timeoutMs, signal: options.signal };
  try {
    switch (protocol) {
      case "tcp":
        return await probeTcp({ host, port }, probeOptions);
      case "tls":
        return await probeTls({ host, port }, probeOptions);
      case "wireguard":
        // The schema has already refused a wireguard target without both keys.
        return await probeWireGuard(
          { host, port, serverPublicKey: serverPublicKey ?? "", probeKey: probeKey ?? "" },
          probeOptions,
        );
      case "shadowsocks": {
        // The schema has already refused a shadowsocks target without its credentials.
        if (!shadowsocks) return failedOutcome("invalid_request");
        const { method, password, relayTo } = shadowsocks;
        return await probeShadowsocks({ host, port, method, password }, relayTo, probeOptions);
      }
    }
  } catch (error) {
    // The probes settle with a failure rather than throw; this keeps the
    // promise of never throwing even for a bug, so a worker never crashes on one.
    return failedOutcome(failureOfError(error));
  }
}
