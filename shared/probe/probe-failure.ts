/**
 * Names a socket error the way OONI names failures, so a refused port, an
 * injected reset or a silent drop reads the same whichever probe saw it.
 */
import type { ProbeFailure, ProbeOutcome } from "./probe-request.ts";

const failureOfCode: Readonly<Record<string, ProbeFailure>> = {
  ECONNREFUSED: "connection_refused",
  ECONNRESET: "connection_reset",
  // Writing to a connection the peer has already torn down: it was reset under us.
  EPIPE: "connection_reset",
  ETIMEDOUT: "generic_timeout_error",
  ERR_TLS_HANDSHAKE_TIMEOUT: "generic_timeout_error",
  EHOSTUNREACH: "host_unreachable",
  EHOSTDOWN: "host_unreachable",
  ENETUNREACH: "network_unreachable",
  ENETDOWN: "network_unreachable",
  ENOTFOUND: "dns_nxdomain_error",
  EAI_NONAME: "dns_nxdomain_error",
  EAI_NODATA: "dns_nxdomain_error",
  ABORT_ERR: "interrupted",
  EPROTO: "ssl_failed_handshake",
  CERT_HAS_EXPIRED: "ssl_invalid_certificate",
  CERT_NOT_YET_VALID: "ssl_invalid_certificate",
  CERT_REVOKED: "ssl_invalid_certificate",
  CERT_UNTRUSTED: "ssl_invalid_certificate",
  DEPTH_ZERO_SELF_SIGNED_CERT: "ssl_invalid_certificate",
  SELF_SIGNED_CERT_IN_CHAIN: "ssl_invalid_certificate",
  UNABLE_TO_GET_ISSUER_CERT: "ssl_invalid_certificate",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "ssl_invalid_certificate",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "ssl_invalid_certificate",
  ERR_TLS_CERT_ALTNAME_INVALID: "ssl_invalid_certificate",
};

interface ErrorFields {
  code?: unknown;
  syscall?: unknown;
  errors?: unknown;
}

/**
 * The OONI-style name of a Node socket, DNS or TLS error; `unknown_failure`
 * for anything else, including values that are not errors at all.
 */
export function failureOfError(error: unknown): ProbeFailure {
  if (typeof error !== "object" || error === null) return "unknown_failure";
  const { code, syscall, errors } = error as ErrorFields;
  // Connecting to a name with several addresses fails with an AggregateError
  // that has one error per address tried; the first nameable one speaks for all.
  if (code === undefined && Array.isArray(errors)) {
    for (const inner of errors) {
      const failure = failureOfError(inner);
      if (failure !== "unknown_failure") return failure;
    }
    return "unknown_failure";
  }
  if (typeof code !== "string") return "unknown_failure";
  // Node reports a peer that closes cleanly during the TLS handshake as
  // ECONNRESET without a syscall; a real reset comes from a syscall (read, connect).
  if (code === "ECONNRESET" && syscall === undefined) return "eof_error";
  if (code.startsWith("ERR_SSL_")) return "ssl_failed_handshake";
  return failureOfCode[code] ?? "unknown_failure";
}

/** A probe outcome that failed with `failure`. */
export function failedOutcome(failure: ProbeFailure): ProbeOutcome {
  return { ok: false, error: failure };
}
