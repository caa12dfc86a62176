/**
 * The TLS handshake probe (OONI's tls_handshake): does a TLS handshake with
 * host:port complete? A port that opens but whose handshake is reset, cut
 * short or answered with garbage points at protocol-level (DPI or SNI)
 * blocking rather than an address block.
 */
import { isIP } from "node:net";
import { connect } from "node:tls";
import { type ProbeOptions, probeWithin } from "./probe-deadline.ts";
import { failedOutcome, failureOfError } from "./probe-failure.ts";
import type { ProbeOutcome } from "./probe-request.ts";
import type { ProbeEndpoint } from "./tcp-probe.ts";

/**
 * Completes a TLS handshake and closes the connection: `ok` with `rttMs`, the
 * time from opening the TCP connection to the end of the handshake (name
 * resolution excluded), or the failure. The name is sent as SNI when `host`
 * is a DNS name.
 */
export function probeTls(endpoint: ProbeEndpoint, options: ProbeOptions): Promise<ProbeOutcome> {
  return probeWithin(options, ({ finish, elapsedMs }) => {
    let resolvedAtMs = 0;
    const socket = connect({
      host: endpoint.host,
      port: endpoint.port,
      // The certificate is deliberately not checked: our VPN servers present
      // self-signed certificates, and the question is whether a handshake can
      // get through the network, not whether the certificate is trusted.
      rejectUnauthorized: false,
      // Unlike https, tls.connect sends no SNI unless told to.
      servername: isIP(endpoint.host) ? undefined : endpoint.host,
    });
    socket.once("lookup", () => {
      resolvedAtMs = elapsedMs();
    });
    socket.once("secureConnect", () => finish({ ok: true, rttMs: elapsedMs(resolvedAtMs) }));
    socket.on("error", (error) => finish(failedOutcome(failureOfError(error))));
    return () => socket.destroy();
  });
}
