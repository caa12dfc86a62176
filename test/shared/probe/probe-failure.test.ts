import { test } from "uvu";
import * as assert from "uvu/assert";
import { failedOutcome, failureOfError } from "../../../shared/probe/probe-failure.ts";
import { PROBE_FAILURES, type ProbeFailure } from "../../../shared/probe/probe-request.ts";

function socketError(code: string, syscall?: string): Error {
  return Object.assign(new Error(`${syscall ?? "tls"} ${code}`), {
    code,
    ...(syscall ? { syscall } : {}),
  });
}

test("socket errno codes map to OONI's failure names", () => {
  const table: [code: string, syscall: string, failure: ProbeFailure][] = [
    ["ECONNREFUSED", "connect", "connection_refused"],
    ["ECONNREFUSED", "recvmsg", "connection_refused"],
    ["ECONNRESET", "read", "connection_reset"],
    ["ECONNRESET", "connect", "connection_reset"],
    ["EPIPE", "write", "connection_reset"],
    ["ETIMEDOUT", "connect", "generic_timeout_error"],
    ["EHOSTUNREACH", "connect", "host_unreachable"],
    ["EHOSTDOWN", "connect", "host_unreachable"],
    ["ENETUNREACH", "send", "network_unreachable"],
    ["ENETDOWN", "connect", "network_unreachable"],
    ["ENOTFOUND", "getaddrinfo", "dns_nxdomain_error"],
    ["EAI_NONAME", "getaddrinfo", "dns_nxdomain_error"],
    ["EAI_NODATA", "getaddrinfo", "dns_nxdomain_error"],
    ["EACCES", "connect", "unknown_failure"],
  ];
  for (const [code, syscall, failure] of table) {
    assert.is(failureOfError(socketError(code, syscall)), failure, `${syscall} ${code}`);
  }
});

test("TLS errors map to a failed handshake, an invalid certificate, or an EOF", () => {
  const table: [code: string, failure: ProbeFailure][] = [
    ["ERR_SSL_WRONG_VERSION_NUMBER", "ssl_failed_handshake"],
    ["ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE", "ssl_failed_handshake"],
    ["ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION", "ssl_failed_handshake"],
    ["EPROTO", "ssl_failed_handshake"],
    ["ERR_TLS_HANDSHAKE_TIMEOUT", "generic_timeout_error"],
    ["DEPTH_ZERO_SELF_SIGNED_CERT", "ssl_invalid_certificate"],
    ["SELF_SIGNED_CERT_IN_CHAIN", "ssl_invalid_certificate"],
    ["UNABLE_TO_VERIFY_LEAF_SIGNATURE", "ssl_invalid_certificate"],
    ["UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "ssl_invalid_certificate"],
    ["CERT_HAS_EXPIRED", "ssl_invalid_certificate"],
    ["CERT_NOT_YET_VALID", "ssl_invalid_certificate"],
    ["ERR_TLS_CERT_ALTNAME_INVALID", "ssl_invalid_certificate"],
    // Node's "socket disconnected before secure TLS connection was established": the peer closed, nobody reset.
    ["ECONNRESET", "eof_error"],
  ];
  for (const [code, failure] of table) {
    assert.is(failureOfError(socketError(code)), failure, code);
  }
});

test("an aborted operation is interrupted", () => {
  assert.is(
    failureOfError(Object.assign(new Error("aborted"), { code: "ABORT_ERR" })),
    "interrupted",
  );
});

test("an AggregateError is named after the first of its errors that has a name", () => {
  const both = new AggregateError(
    [socketError("EADDRNOTAVAIL", "connect"), socketError("ECONNREFUSED", "connect")],
    "connect failed",
  );
  assert.is(failureOfError(both), "connection_refused");
  assert.is(failureOfError(new AggregateError([new Error("x")], "y")), "unknown_failure");
});

test("anything that is not a coded error is an unknown failure", () => {
  for (const value of [undefined, null, "ECONNREFUSED", 42, new Error("no code"), { code: 7 }]) {
    assert.is(failureOfError(value), "unknown_failure", String(value));
  }
});

test("every name the mapping produces is in the contract's list", () => {
  const codes = ["ECONNREFUSED", "EPIPE", "ENOTFOUND", "ERR_SSL_X", "CERT_REVOKED", "ABORT_ERR"];
  for (const code of codes) {
    assert.ok(PROBE_FAILURES.includes(failureOfError(socketError(code, "connect"))), code);
  }
});

test("a failed outcome carries the failure's name and no round-trip time", () => {
  assert.equal(failedOutcome("eof_error"), { ok: false, error: "eof_error" });
});

test.run();
