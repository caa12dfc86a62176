/**
 * The TCP connect probe (OONI's tcp_connect): can a connection to host:port
 * be opened? A filtered port or address shows as a timeout, a reset or an
 * unreachable error; a closed one as `connection_refused`.
 */
import { connect } from "node:net";
import { type ProbeOptions, probeWithin } from "./probe-deadline.ts";
import { failedOutcome, failureOfError } from "./probe-failure.ts";
import type { ProbeOutcome } from "./probe-request.ts";

/** Where a probe connects. */
export interface ProbeEndpoint {
  host: string;
  port: number;
}

/**
 * Opens a TCP connection and closes it at once: `ok` with `rttMs`, the time
 * the connection took to open (name resolution excluded), or the failure.
 */
export function probeTcp(endpoint: ProbeEndpoint, options: ProbeOptions): Promise<ProbeOutcome> {
  return probeWithin(options, ({ finish, elapsedMs }) => {
    let resolvedAtMs = 0;
    const socket = connect({ host: endpoint.host, port: endpoint.port });
    socket.once("lookup", () => {
      resolvedAtMs = elapsedMs();
    });
    socket.once("connect", () => finish({ ok: true, rttMs: elapsedMs(resolvedAtMs) }));
    socket.on("error", (error) => finish(failedOutcome(failureOfError(error))));
    return () => socket.destroy();
  });
}
