/**
 * The probe contract shared by the leader's control probes and the probe
 * agent that vantage points run inside the censored network:
 * `POST /v1/probe` with `{target, timeoutMs}` answers a `ProbeOutcome`.
 * Failures are named as OONI names them, so evidence reads the same whatever
 * measured it.
 */
import { z } from "zod";
import { SHADOWSOCKS_METHODS } from "../shadowsocks-method.ts";

export const PROBE_PROTOCOLS = ["tcp", "tls", "wireguard", "shadowsocks"] as const;
export type ProbeProtocol = (typeof PROBE_PROTOCOLS)[number];

/** OONI-style failure names (see OONI's "failure" strings). */
export const PROBE_FAILURES = [
  "connection_refused",
  "connection_reset",
  "generic_timeout_error",
  "host_unreachable",
  "network_unreachable",
  "dns_nxdomain_error",
  "ssl_invalid_certificate",
  "ssl_failed_handshake",
  "eof_error",
  "wireguard_bad_response",
  /** A Shadowsocks reply that does not authenticate, or is not the answer the relayed request expects. */
  "shadowsocks_bad_response",
  "unknown_failure",
  /** The caller aborted the probe before it finished (OONI's name for a cancelled operation). */
  "interrupted",
  /**
   * Nothing was measured: the target or timeout fails validation, or a
   * WireGuard key is not a usable X25519 key.
   */
  "invalid_request",
] as const;
export type ProbeFailure = (typeof PROBE_FAILURES)[number];

const wireguardKey = z
  .string()
  .regex(/^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/, "a WireGuard key is 32 bytes in base64");

const host = z.string().regex(/^[A-Za-z0-9.:-]{1,253}$/, "a host is a DNS name or an IP address");
const port = z.int().min(1).max(65_535);

/** How to speak Shadowsocks to the server, and the HTTP target it is asked to reach. */
const shadowsocksProbeSchema = z.strictObject({
  method: z.enum(SHADOWSOCKS_METHODS),
  password: z.string().min(1).max(256),
  /** An HTTP server that answers `GET /healthz` with 200 (the node's own port), as the server reaches it. */
  relayTo: z.strictObject({ host, port }),
});

export const probeTargetSchema = z
  .strictObject({
    host,
    port,
    protocol: z.enum(PROBE_PROTOCOLS),
    /** The server's WireGuard public key: required for `wireguard`. */
    serverPublicKey: wireguardKey.optional(),
    /** The probe peer's private key on that server: required for `wireguard`. */
    probeKey: wireguardKey.optional(),
    /** The probe's password and relayed target: required for `shadowsocks`. */
    shadowsocks: shadowsocksProbeSchema.optional(),
  })
  .refine(
    (target) =>
      target.protocol !== "wireguard" ||
      (target.serverPublicKey !== undefined && target.probeKey !== undefined),
    "a wireguard probe needs serverPublicKey and probeKey",
  )
  .refine(
    (target) => target.protocol !== "shadowsocks" || target.shadowsocks !== undefined,
    "a shadowsocks probe needs shadowsocks: {method, password, relayTo}",
  );
export type ProbeTarget = z.infer<typeof probeTargetSchema>;

/** Probes give up after at most this long, whatever the request asks. */
export const MAX_PROBE_TIMEOUT_MS = 30_000;

export const probeRequestSchema = z.strictObject({
  target: probeTargetSchema,
  timeoutMs: z.int().min(1).max(MAX_PROBE_TIMEOUT_MS),
});
export type ProbeRequest = z.infer<typeof probeRequestSchema>;

export const probeOutcomeSchema = z.strictObject({
  ok: z.boolean(),
  rttMs: z.number().nonnegative().optional(),
  error: z.string().max(200).optional(),
});
/** What one probe saw: `ok` with the round-trip time, or the failure's OONI name. */
export type ProbeOutcome = z.infer<typeof probeOutcomeSchema>;
