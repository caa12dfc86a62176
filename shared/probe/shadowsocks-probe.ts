/**
 * The Shadowsocks probe: a real request through the server, not a port
 * check. It opens an AEAD stream (shared/shadowsocks) with the server's
 * probe password, asks the server to connect to a known HTTP target (the
 * node's own `/healthz`), sends `GET /healthz` and waits for the reply to
 * open and read as `HTTP/1.x 200`. A censor that recognises and cuts
 * Shadowsocks streams, or a server that does not take the password, shows as
 * a failure even when the TCP port answers.
 *
 * Failures: the connection's own (`connection_refused`, `connection_reset`,
 * `generic_timeout_error`...), `eof_error` when the server closes without a
 * reply (it could not reach the target), and `shadowsocks_bad_response` for a
 * reply that does not authenticate or is not the expected answer. A wrong
 * password or method gets no answer at all: ss-server, resisting active
 * probing, keeps such a connection open and silent, so it ends as
 * `generic_timeout_error`, like a censor that drops the stream.
 */
import { connect } from "node:net";
import { AEAD_METHODS, MAX_CHUNK_PAYLOAD } from "../shadowsocks/aead-methods.ts";
import { AeadStreamOpener, AeadStreamSealer } from "../shadowsocks/aead-stream.ts";
import { masterKeyOf } from "../shadowsocks/shadowsocks-keys.ts";
import { encodeTargetAddress } from "../shadowsocks/target-address.ts";
import type { ShadowsocksMethod } from "../shadowsocks-method.ts";
import { type ProbeOptions, probeWithin } from "./probe-deadline.ts";
import { failedOutcome, failureOfError } from "./probe-failure.ts";
import type { ProbeOutcome } from "./probe-request.ts";
import type { ProbeEndpoint } from "./tcp-probe.ts";

/** A Shadowsocks server and the credentials it takes. */
export interface ShadowsocksServer extends ProbeEndpoint {
  method: ShadowsocksMethod;
  password: string;
}

/** What the server is asked to fetch: `GET path` from an HTTP server at `host:port`. */
export interface RelayedRequest extends ProbeEndpoint {
  path: string;
}

/** What a fetch through the server read. */
export type RelayedReply =
  | { ok: true; status: number; body: Buffer; rttMs: number }
  | { ok: false; error: string };

/** The path every node answers 200 on, and the probe asks for. */
export const HEALTH_PATH = "/healthz";

/** Replies beyond this are cut: the probe needs a status line, the tests a short page. */
export const MAX_REPLY_BYTES = 64 * 1024;

/** What the first bytes of a relayed HTTP reply say so far. */
export type HeadOfReply =
  | { kind: "incomplete" }
  | { kind: "malformed" }
  | { kind: "head"; status: number; bodyStart: number | null };

/**
 * The status of an HTTP reply from its first bytes, and where its body
 * starts once known; `malformed` for anything but an HTTP/1.x status line
 * (or no line end within 1 KiB).
 */
export function headOf(reply: Buffer): HeadOfReply {
  const lineEnd = reply.indexOf("\r\n");
  if (lineEnd < 0) return reply.length > 1024 ? { kind: "malformed" } : { kind: "incomplete" };
  const statusLine = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(
    reply.subarray(0, lineEnd).toString("latin1"),
  );
  if (!statusLine) return { kind: "malformed" };
  const headEnd = reply.indexOf("\r\n\r\n");
  return {
    kind: "head",
    status: Number(statusLine[1]),
    bodyStart: headEnd < 0 ? null : headEnd + 4,
  };
}

function requestBytes(request: RelayedRequest): Buffer {
  const hostHeader = request.host.includes(":") ? `[${request.host}]` : request.host;
  return Buffer.from(
    `GET ${request.path} HTTP/1.1\r\nHost: ${hostHeader}:${request.port}\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\nConnection: close\r\n\r\n`,
    "latin1",
  );
}

/**
 * Sends `request` through `server` and calls `decide` with the reply read so
 * far after every chunk and once more when the server closes (`ended`);
 * the first outcome `decide` gives ends the exchange.
 */
function exchange(
  server: ShadowsocksServer,
  request: RelayedRequest,
  options: ProbeOptions,
  decide: (reply: Buffer, ended: boolean, rttMs: number) => ProbeOutcome | null,
): Promise<ProbeOutcome> {
  return probeWithin(options, ({ finish, elapsedMs }) => {
    const address = encodeTargetAddress(request.host, request.port);
    if (!address.ok) {
      finish(failedOutcome("invalid_request"));
      return () => {};
    }
    const masterKey = masterKeyOf(server.password, AEAD_METHODS[server.method].keyBytes);
    const sealer = new AeadStreamSealer(server.method, masterKey);
    const opener = new AeadStreamOpener(server.method, masterKey);
    const firstChunk = Buffer.concat([address.value, requestBytes(request)]);
    if (firstChunk.length > MAX_CHUNK_PAYLOAD) {
      finish(failedOutcome("invalid_request"));
      return () => {};
    }
    let reply = Buffer.alloc(0);
    let firstAnswerMs: number | null = null;
    const socket = connect({ host: server.host, port: server.port });
    socket.once("connect", () => {
      // The address and the request in one chunk, as clients do: the server
      // then sees a first chunk shaped like any other client's.
      socket.write(sealer.seal(firstChunk));
    });
    socket.on("data", (bytes: Buffer) => {
      firstAnswerMs ??= elapsedMs();
      const opened = opener.push(bytes);
      if (!opened.ok) {
        finish(failedOutcome("shadowsocks_bad_response"));
        return;
      }
      if (opened.value.length === 0) return;
      reply = Buffer.concat([reply, ...opened.value]);
      if (reply.length > MAX_REPLY_BYTES) reply = reply.subarray(0, MAX_REPLY_BYTES);
      const outcome = decide(reply, reply.length >= MAX_REPLY_BYTES, firstAnswerMs);
      if (outcome) finish(outcome);
    });
    socket.once("end", () => {
      if (reply.length === 0) finish(failedOutcome("eof_error"));
      else finish(decide(reply, true, firstAnswerMs ?? elapsedMs()) ?? failedOutcome("eof_error"));
    });
    socket.on("error", (error) => finish(failedOutcome(failureOfError(error))));
    return () => socket.destroy();
  });
}

/**
 * Fetches `GET request.path` from `request.host:port` through `server` and
 * reads the reply until the connection closes (at most
 * {@link MAX_REPLY_BYTES}): its status and the bytes after its head. Never
 * rejects.
 */
export async function fetchThroughShadowsocks(
  server: ShadowsocksServer,
  request: RelayedRequest,
  options: ProbeOptions,
): Promise<RelayedReply> {
  let fetched: RelayedReply = { ok: false, error: "eof_error" };
  const outcome = await exchange(server, request, options, (reply, ended, rttMs) => {
    if (!ended) return null;
    const head = headOf(reply);
    if (head.kind !== "head" || head.bodyStart === null)
      return failedOutcome("shadowsocks_bad_response");
    fetched = { ok: true, status: head.status, body: reply.subarray(head.bodyStart), rttMs };
    return { ok: true, rttMs };
  });
  return outcome.ok ? fetched : { ok: false, error: outcome.error ?? "unknown_failure" };
}

/**
 * Probes a Shadowsocks server: `ok` with `rttMs` (from opening the
 * connection to the reply's first bytes) once the reply's status line reads
 * 200, or the failure. Never rejects.
 */
export function probeShadowsocks(
  server: ShadowsocksServer,
  relayTo: ProbeEndpoint,
  options: ProbeOptions,
): Promise<ProbeOutcome> {
  return exchange(server, { ...relayTo, path: HEALTH_PATH }, options, (reply, ended, rttMs) => {
    const head = headOf(reply);
    if (head.kind === "head")
      return head.status === 200 ? { ok: true, rttMs } : failedOutcome("shadowsocks_bad_response");
    if (head.kind === "malformed" || ended) return failedOutcome("shadowsocks_bad_response");
    return null;
  });
}
