/**
 * The leader's side of the probe contract: asks one vantage probe (the probe
 * agent an operator runs inside the censored network) to probe a server.
 *
 * The request carries the agent's token and, for WireGuard probes, the
 * server's key and the vantage's private probe key, across a network the
 * censor watches and tampers with. So the connection is made and checked
 * before a byte of the request exists: https:// with the certificate pinned
 * by its SHA-256 fingerprint (exactly that certificate, whoever signed it),
 * or verified against the system CAs when there is no pin; plain http:// only
 * for a probe an admin marked insecure. A certificate that fails is refused
 * with a typed code and the token is never written.
 */
import {
  type ClientRequestArgs,
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingMessage,
} from "node:http";
import { isIP, type Socket, connect as tcpConnect } from "node:net";
import type { Duplex } from "node:stream";
import { type TLSSocket, connect as tlsConnect } from "node:tls";
import { certSha256OfDer, shortCertSha256 } from "../../shared/cert-fingerprint.ts";
import {
  type ProbeOutcome,
  type ProbeRequest,
  probeOutcomeSchema,
} from "../../shared/probe/probe-request.ts";
import { quote } from "../../shared/quote.ts";
import type { ErrorValue } from "../../shared/result.ts";

export type VantageProbeErrorCode =
  /** No connection: refused, unreachable, DNS failure, or a TLS handshake that failed. */
  | "VANTAGE_UNREACHABLE"
  /** No complete answer within `request.timeoutMs + fetchTimeoutMs`. */
  | "VANTAGE_TIMEOUT"
  /** The agent refused the token (its plain 404, or 401). */
  | "VANTAGE_UNAUTHORIZED"
  /** A 200 whose body is not a valid probe outcome. */
  | "VANTAGE_BAD_REPLY"
  /** Any status but 200 and 401 (429 when the agent is busy, 400, 500, a redirect...). */
  | "VANTAGE_HTTP_ERROR"
  /** The caller's signal aborted the request (e.g. leadership was lost). */
  | "VANTAGE_ABORTED"
  /** The certificate is not the pinned one (someone in the middle, or a new agent certificate); nothing was sent. */
  | "VANTAGE_CERT_MISMATCH"
  /** No pin, and the certificate does not verify against the system CAs (self-signed, expired, another name); nothing was sent. */
  | "VANTAGE_CERT_UNTRUSTED"
  /** An http:// URL for a probe not marked insecure (or a scheme that is neither); nothing was sent. */
  | "VANTAGE_INSECURE_URL";

export interface VantageProbeError extends ErrorValue<VantageProbeErrorCode> {
  /** The HTTP status, for `VANTAGE_HTTP_ERROR`. */
  status?: number;
}

/** A `Result` (shared/result.ts) whose error carries the HTTP status when there was one. */
export type VantageProbeResult = { ok: true; value: ProbeOutcome } | VantageProbeFailure;

/** The vantage gave no usable answer. */
export type VantageProbeFailure = { ok: false; error: VantageProbeError };

export interface AskVantageProbeOptions {
  /** The vantage probe's configured url, e.g. `https://10.0.0.5:9190`; see {@link probeEndpoint}. */
  url: string;
  /** The agent's PROBE_AGENT_TOKEN. */
  token: string;
  request: ProbeRequest;
  signal?: AbortSignal;
  /**
   * How long the HTTP exchange may take on top of the probe itself (connecting,
   * the agent's queue, the reply): the call gives up after
   * `request.timeoutMs + fetchTimeoutMs`.
   */
  fetchTimeoutMs: number;
  /**
   * The SHA-256 fingerprint (`AB:CD:...`, canonical) of the only certificate
   * the agent may present. Absent or null: the certificate must verify
   * against the system CAs for the URL's host.
   */
  certSha256?: string | null | undefined;
  /** The probe is marked insecure: an http:// URL may be used, unencrypted. */
  insecure?: boolean | undefined;
}

/** A reply is a few dozen bytes; a vantage that sends more is not answering the contract. */
const MAX_REPLY_BYTES = 16 * 1024;

/**
 * Where the probe request goes: `v1/probe` below the url's path, so an agent
 * behind a reverse proxy at `https://host/probes/` is reached at
 * `https://host/probes/v1/probe`. A url whose path already ends in `/v1/probe`
 * is used as it is.
 */
export function probeEndpoint(url: string): URL {
  const endpoint = new URL(url);
  endpoint.hash = "";
  if (!endpoint.pathname.endsWith("/v1/probe")) {
    endpoint.pathname = `${endpoint.pathname.replace(/\/+$/, "")}/v1/probe`;
  }
  return endpoint;
}

function failure(
  code: VantageProbeErrorCode,
  message: string,
  status?: number,
): VantageProbeFailure {
  const error: VantageProbeError = { code, message };
  if (status !== undefined) error.status = status;
  return { ok: false, error };
}

/** Why the connection failed, as the system said it (ECONNREFUSED, ENOTFOUND, a TLS error...). */
function causeOf(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") return code;
  return error instanceof Error ? error.message : String(error);
}

/** The body as text, or undefined when it is larger than `maxBytes`. */
async function readBoundedText(
  response: IncomingMessage,
  maxBytes: number,
): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    size += chunk.byteLength;
    // Leaving the loop destroys the stream (and the socket goes with it), so the rest is never read.
    if (size > maxBytes) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** The agent's `{error:{code,message}}`, shortened, for an admin to read; empty if there is none. */
function agentErrorOf(text: string): string {
  try {
    const { error } = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    if (typeof error?.code !== "string") return "";
    const message = typeof error.message === "string" ? `: ${quote(error.message, 200)}` : "";
    return ` (${quote(error.code, 40)}${message})`;
  } catch {
    return "";
  }
}

/** Checks a 200's body against the contract. */
function outcomeOf(text: string): VantageProbeResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return failure(
      "VANTAGE_BAD_REPLY",
      "the vantage probe answered 200 with a body that is not JSON",
    );
  }
  const parsed = probeOutcomeSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`)
      .join("; ");
    return failure(
      "VANTAGE_BAD_REPLY",
      `the vantage probe's answer is not a probe outcome: ${problems}`,
    );
  }
  const outcome = parsed.data;
  if (!outcome.ok && outcome.error === undefined) {
    return failure(
      "VANTAGE_BAD_REPLY",
      "the vantage probe reported a failed probe without naming the error",
    );
  }
  if (outcome.ok && outcome.error !== undefined) {
    return failure(
      "VANTAGE_BAD_REPLY",
      "the vantage probe reported a successful probe with an error",
    );
  }
  return { ok: true, value: outcome };
}

/** Where to connect for `endpoint`: the host without IPv6 brackets, and the port or the scheme's. */
function addressOf(endpoint: URL): { host: string; port: number } {
  const host = endpoint.hostname.replace(/^\[(.*)\]$/, "$1");
  const port =
    endpoint.port === "" ? (endpoint.protocol === "https:" ? 443 : 80) : Number(endpoint.port);
  return { host, port };
}

type Connected = { ok: true; socket: Socket } | VantageProbeFailure;

/**
 * Opens the connection the request will travel on, and settles only once it
 * is fit to carry the token: for https://, after the handshake and the check
 * of the certificate (the pin, or the system CAs and the host name). A
 * socket that fails the check is destroyed before anything is written to it.
 */
function connectChecked(
  endpoint: URL,
  pinned: string | undefined,
  signal: AbortSignal | undefined,
): Promise<Connected> {
  const { host, port } = addressOf(endpoint);
  const secure = endpoint.protocol === "https:";
  return new Promise<Connected>((resolve) => {
    const socket: Socket = secure
      ? tlsConnect({
          host,
          port,
          ...(isIP(host) === 0 ? { servername: host } : {}),
          // Checked below, before the request exists: a pin replaces the CA check.
          rejectUnauthorized: false,
          ALPNProtocols: ["http/1.1"],
        })
      : tcpConnect({ host, port });
    // Errors after this settles are the request's to report; none may go unheard meanwhile.
    socket.on("error", () => {});
    let settled = false;
    const settle = (result: Connected) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener("abort", onAbort);
      socket.off("error", onError);
      if (!result.ok) socket.destroy();
      resolve(result);
    };
    // The request's own error then says whether it timed out or was cancelled.
    const onAbort = () => settle(failure("VANTAGE_ABORTED", "the request was cancelled"));
    const onError = (error: Error) =>
      settle(
        failure(
          "VANTAGE_UNREACHABLE",
          `cannot reach the vantage probe at ${endpoint.origin}: ${causeOf(error)}`,
        ),
      );
    socket.once("error", onError);
    if (signal?.aborted) return onAbort();
    signal?.addEventListener("abort", onAbort, { once: true });
    if (!secure) {
      socket.once("connect", () => settle({ ok: true, socket }));
      return;
    }
    (socket as TLSSocket).once("secureConnect", () => {
      const tlsSocket = socket as TLSSocket;
      const raw = tlsSocket.getPeerCertificate().raw as Buffer | undefined;
      const presented = raw && raw.length > 0 ? certSha256OfDer(raw) : undefined;
      const shown = presented ? shortCertSha256(presented) : "none";
      if (pinned !== undefined) {
        if (presented === pinned) return settle({ ok: true, socket });
        return settle(
          failure(
            "VANTAGE_CERT_MISMATCH",
            `the vantage probe at ${endpoint.origin} presented a certificate with SHA-256 ${shown}, not the pinned ${shortCertSha256(pinned)}: someone on the path may be posing as it, or the agent made a new certificate; the token was not sent`,
          ),
        );
      }
      if (tlsSocket.authorized) return settle({ ok: true, socket });
      const reason = String(tlsSocket.authorizationError ?? "unverified");
      settle(
        failure(
          "VANTAGE_CERT_UNTRUSTED",
          `the vantage probe's certificate at ${endpoint.origin} does not verify against the system CAs (${quote(reason, 80)}; it presented SHA-256 ${shown}); the token was not sent. For the agent's self-signed certificate, pin the SHA-256 fingerprint the agent logs at start`,
        ),
      );
    });
  });
}

/** Which URLs may carry the token, before any connection is made. */
function transportRefusal(
  endpoint: URL,
  options: AskVantageProbeOptions,
): VantageProbeFailure | undefined {
  if (endpoint.protocol === "https:") return undefined;
  if (endpoint.protocol === "http:" && options.insecure === true && !options.certSha256)
    return undefined;
  const why =
    endpoint.protocol !== "http:"
      ? `its URL is ${endpoint.protocol}//, not https://`
      : options.certSha256
        ? "its URL is http://, but it has a pinned certificate, which needs https://"
        : "its URL is http:// and the probe is not marked insecure, so the token would cross the network unencrypted";
  return failure("VANTAGE_INSECURE_URL", `the vantage probe was not asked: ${why}; use https://`);
}

/** A connection that failed its check, carrying the typed failure through the HTTP agent. */
class RefusedConnection extends Error {
  constructor(readonly failure: VantageProbeFailure) {
    super(failure.error.message);
  }
}

/**
 * Free connections close after this long idle, before the agent's own
 * keep-alive timeout (5 s) can close one as it is being reused.
 */
const IDLE_CONNECTION_MS = 4000;

/** The request options, with the signal that also bounds making a connection for it. */
type CheckedRequestArgs = ClientRequestArgs & { connectSignal?: AbortSignal };

/**
 * The connections to one vantage probe under one pin, kept alive between
 * requests as fetch kept them: each was checked once, when it was made (the
 * pin, or the system CAs), before anything was written to it, and a
 * connection never serves another URL or pin. Reusing them spares a
 * handshake per request.
 */
class CheckedConnections extends HttpAgent {
  constructor(
    private readonly endpoint: URL,
    private readonly pinned: string | undefined,
  ) {
    super({ keepAlive: true, timeout: IDLE_CONNECTION_MS });
  }

  override createConnection(
    options: CheckedRequestArgs,
    created: (error: Error | null, socket?: Duplex) => void,
  ): Duplex {
    void connectChecked(this.endpoint, this.pinned, options.connectSignal).then((result) =>
      result.ok ? created(null, result.socket) : created(new RefusedConnection(result)),
    );
    // Made asynchronously: the agent waits for `created`.
    return undefined as unknown as Duplex;
  }
}

/** One pool per scheme, host, port and pin: a handful of vantage probes make a handful. */
const pools = new Map<string, CheckedConnections>();

function poolFor(endpoint: URL, pinned: string | undefined): CheckedConnections {
  const key = `${endpoint.protocol}//${endpoint.host} ${pinned ?? "unpinned"}`;
  let pool = pools.get(key);
  if (!pool) {
    pool = new CheckedConnections(endpoint, pinned);
    pools.set(key, pool);
  }
  return pool;
}

/** Sends the request over a checked connection and resolves with the response, or rejects. */
function send(
  endpoint: URL,
  options: AskVantageProbeOptions,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  const body = JSON.stringify(options.request);
  const args: CheckedRequestArgs = {
    ...addressOf(endpoint),
    path: `${endpoint.pathname}${endpoint.search}`,
    method: "POST",
    headers: {
      Host: endpoint.host,
      Authorization: `Bearer ${options.token}`,
      "Content-Type": "application/json",
      Accept: "application/json",
      "Content-Length": String(Buffer.byteLength(body)),
    },
    // Only connections checked for this URL and pin: the token is written after the check.
    agent: poolFor(endpoint, options.certSha256 ?? undefined),
    connectSignal: signal,
    signal,
  };
  return new Promise<IncomingMessage>((resolve, reject) => {
    const outgoing = httpRequest(args);
    outgoing.once("response", resolve);
    outgoing.once("error", reject);
    outgoing.end(body);
  });
}

/**
 * Asks a vantage probe to probe `request.target`. Never throws.
 *
 * Keep the two kinds of answer apart. A result with `ok: true` is a
 * measurement from inside the censored network, even when its outcome says
 * the probe failed (`{ ok: false, error: "connection_reset" }`): that is
 * evidence the server is filtered. A result with `ok: false` means the vantage
 * itself gave no usable answer (down, busy, wrong token, a certificate that
 * is not the pinned one, a reply outside the contract), which is no evidence
 * about the server at all: the ban check counts it as "no answer", so it can
 * make a verdict inconclusive but never "filtered". Redirects are not
 * followed, so the token never goes anywhere but the configured URL.
 */
export async function askVantageProbe(
  options: AskVantageProbeOptions,
): Promise<VantageProbeResult> {
  const { request, signal } = options;
  const timeout = AbortSignal.timeout(request.timeoutMs + options.fetchTimeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  const interrupted = (): VantageProbeFailure | undefined => {
    if (signal?.aborted) {
      return failure(
        "VANTAGE_ABORTED",
        "the request was cancelled before the vantage probe answered",
      );
    }
    if (timeout.aborted) {
      const totalMs = request.timeoutMs + options.fetchTimeoutMs;
      return failure("VANTAGE_TIMEOUT", `the vantage probe did not answer within ${totalMs} ms`);
    }
    return undefined;
  };
  let endpoint: URL;
  try {
    endpoint = probeEndpoint(options.url);
  } catch {
    return failure("VANTAGE_UNREACHABLE", "the vantage probe's url is not a valid URL");
  }
  const refused = transportRefusal(endpoint, options);
  if (refused) return refused;
  try {
    const response = await send(endpoint, options, combined);
    const text = await readBoundedText(response, MAX_REPLY_BYTES);
    const status = response.statusCode ?? 0;
    // The agent answers a wrong token with the plain 404 it gives scanners.
    if (status === 401 || (status === 404 && text?.trim() === "Not Found")) {
      return failure(
        "VANTAGE_UNAUTHORIZED",
        "the vantage probe refused the token (or the URL is not a probe agent): the token must equal the agent's PROBE_AGENT_TOKEN",
      );
    }
    if (status !== 200) {
      return failure(
        "VANTAGE_HTTP_ERROR",
        `the vantage probe answered HTTP ${status}${agentErrorOf(text ?? "")}`,
        status,
      );
    }
    if (text === undefined) {
      return failure(
        "VANTAGE_BAD_REPLY",
        `the vantage probe's answer is larger than ${MAX_REPLY_BYTES} bytes`,
      );
    }
    return outcomeOf(text);
  } catch (error) {
    return (
      interrupted() ??
      (error instanceof RefusedConnection
        ? error.failure
        : failure(
            "VANTAGE_UNREACHABLE",
            `cannot reach the vantage probe at ${endpoint.origin}: ${causeOf(error)}`,
          ))
    );
  }
}
