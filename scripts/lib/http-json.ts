/**
 * One HTTP request with a JSON body and a hard deadline, over node:http so a
 * caller can bring its own keep-alive agent (benchmarks) or none (tests).
 * Every outcome is a value: a refused connection or a timeout is `status 0`,
 * which is routine while nodes are being killed on purpose.
 */
import { type Agent, type IncomingHttpHeaders, request } from "node:http";

/** A finished exchange; `status` 0 means no HTTP response (refused, reset, timed out). */
export interface HttpJsonResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The parsed body when it was JSON, else undefined. */
  body: unknown;
  /** The raw body, or why no response came when `status` is 0. */
  text: string;
}

export interface HttpJsonRequest {
  method?: "GET" | "PUT" | "POST" | "DELETE";
  /** Serialised as JSON with `content-type: application/json`. */
  body?: unknown;
  /** Sent as is with `content-type: application/json`, instead of `body`: for malformed JSON. */
  rawBody?: string;
  /** More request headers, names in lower case (e.g. `idempotency-key`); they win over the ones set here. */
  headers?: Record<string, string>;
  /** Sent as `Authorization: Bearer <token>`. */
  bearerToken?: string;
  /** Keep-alive pool to use; default a fresh connection per request. */
  agent?: Agent;
  /** Gives up (status 0) after this long; default 5 000 ms. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 5_000;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Sends one request to `url` (http:// only) and resolves with whatever happened. */
export function requestJson(url: string, options: HttpJsonRequest = {}): Promise<HttpJsonResponse> {
  const payload =
    options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const headers: Record<string, string> = { accept: "application/json" };
  if (payload !== undefined) {
    headers["content-type"] = "application/json";
    headers["content-length"] = String(Buffer.byteLength(payload));
  }
  if (options.bearerToken !== undefined) headers.authorization = `Bearer ${options.bearerToken}`;
  Object.assign(headers, options.headers);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (response: HttpJsonResponse): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(response);
    };
    const failed = (reason: string): HttpJsonResponse => ({
      status: 0,
      headers: {},
      body: undefined,
      text: reason,
    });
    const outgoing = request(
      url,
      { method: options.method ?? "GET", headers, agent: options.agent ?? false },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
        incoming.on("error", (error) => finish(failed(error.message)));
        incoming.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          finish({
            status: incoming.statusCode ?? 0,
            headers: incoming.headers,
            body: parseJson(text),
            text,
          });
        });
      },
    );
    const timer = setTimeout(() => {
      outgoing.destroy();
      finish(failed(`no response within ${timeoutMs} ms`));
    }, timeoutMs);
    outgoing.on("error", (error: NodeJS.ErrnoException) =>
      finish(failed(error.code ?? error.message)),
    );
    outgoing.end(payload);
  });
}
