/**
 * The leader's side of the probe contract: asks one vantage probe (the probe
 * agent an operator runs inside the censored network) to probe a server.
 */
import {
  type ProbeOutcome,
  type ProbeRequest,
  probeOutcomeSchema,
} from "../../shared/probe/probe-request.ts";
import { quote } from "../../shared/quote.ts";
import type { ErrorValue } from "../../shared/result.ts";

export type VantageProbeErrorCode =
  /** No connection: refused, unreachable, DNS or TLS failure. */
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
  | "VANTAGE_ABORTED";

export interface VantageProbeError extends ErrorValue<VantageProbeErrorCode> {
  /** The HTTP status, for `VANTAGE_HTTP_ERROR`. */
  status?: number;
}

/** A `Result` (shared/result.ts) whose error carries the HTTP status when there was one. */
export type VantageProbeResult =
  | { ok: true; value: ProbeOutcome }
  | { ok: false; error: VantageProbeError };

export interface AskVantageProbeOptions {
  /** The vantage probe's configured url, e.g. `http://10.0.0.5:9190`; see {@link probeEndpoint}. */
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
): VantageProbeResult {
  const error: VantageProbeError = { code, message };
  if (status !== undefined) error.status = status;
  return { ok: false, error };
}

/** Why fetch failed, as the system said it (ECONNREFUSED, ENOTFOUND, a TLS error...). */
function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (typeof cause?.code === "string") return cause.code;
  if (typeof cause?.message === "string") return cause.message;
  return error instanceof Error ? error.message : String(error);
}

/** The body as text, or undefined when it is larger than `maxBytes`. */
async function readBoundedText(response: Response, maxBytes: number): Promise<string | undefined> {
  if (!response.body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    // Leaving the loop cancels the stream, so the rest is never downloaded.
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

/**
 * Asks a vantage probe to probe `request.target`. Never throws.
 *
 * Keep the two kinds of answer apart. A result with `ok: true` is a
 * measurement from inside the censored network, even when its outcome says
 * the probe failed (`{ ok: false, error: "connection_reset" }`): that is
 * evidence the server is filtered. A result with `ok: false` means the vantage
 * itself gave no usable answer (down, busy, wrong token, a reply outside the
 * contract), which is no evidence about the server at all: the ban check
 * counts it as "no answer", so it can make a verdict inconclusive but never
 * "filtered".
 */
export async function askVantageProbe(
  options: AskVantageProbeOptions,
): Promise<VantageProbeResult> {
  const { request, signal } = options;
  const timeout = AbortSignal.timeout(request.timeoutMs + options.fetchTimeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  const interrupted = (): VantageProbeResult | undefined => {
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
  try {
    const response = await fetch(endpoint, {
      method: "POST",
      headers: {
        Authorization: `Bearer ${options.token}`,
        "Content-Type": "application/json",
        Accept: "application/json",
      },
      body: JSON.stringify(request),
      // A redirect must not carry the token elsewhere; it is reported as an HTTP error.
      redirect: "manual",
      signal: combined,
    });
    const text = await readBoundedText(response, MAX_REPLY_BYTES);
    // The agent answers a wrong token with the plain 404 it gives scanners.
    if (response.status === 401 || (response.status === 404 && text?.trim() === "Not Found")) {
      return failure(
        "VANTAGE_UNAUTHORIZED",
        "the vantage probe refused the token (or the URL is not a probe agent): the token must equal the agent's PROBE_AGENT_TOKEN",
      );
    }
    if (response.status !== 200) {
      return failure(
        "VANTAGE_HTTP_ERROR",
        `the vantage probe answered HTTP ${response.status}${agentErrorOf(text ?? "")}`,
        response.status,
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
      failure(
        "VANTAGE_UNREACHABLE",
        `cannot reach the vantage probe at ${endpoint.origin}: ${causeOf(error)}`,
      )
    );
  }
}
