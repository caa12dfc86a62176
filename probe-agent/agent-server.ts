/**
 * The probe agent's HTTP server: vantage points inside the censored network
 * run it, and the leader asks it to probe a server (`POST /v1/probe`, see
 * shared/probe/probe-request.ts). A probe that fails is still a successful
 * measurement and answers 200 with `ok: false`; every other status means the
 * agent did not measure anything.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { bearerTokenCheck } from "../shared/bearer-token.ts";
import { writeBlandNotFound } from "../shared/bland-answer.ts";
import { createHttpOrHttpsServer, type ServerTls } from "../shared/http-server.ts";
import { type BodyErrorCode, readJsonBody } from "../shared/json-body.ts";
import { type JsonResponse, writeJson } from "../shared/json-response.ts";
import { createLogger, type Logger } from "../shared/logger.ts";
import {
  type ProbeOutcome,
  type ProbeTarget,
  probeRequestSchema,
} from "../shared/probe/probe-request.ts";

export const PROBE_PATH = "/v1/probe";
export const HEALTH_PATH = "/healthz";

/** Measures one target; never throws, and stops early when `signal` aborts. */
export type ProbeFunction = (
  target: ProbeTarget,
  options: { timeoutMs: number; signal?: AbortSignal },
) => Promise<ProbeOutcome>;

export interface ProbeAgentServerOptions {
  /** The bearer token the leader must send (PROBE_AGENT_TOKEN). */
  token: string;
  probe: ProbeFunction;
  /** Probes running at once beyond this are refused with 429, so a flood cannot exhaust the host. */
  maxConcurrentProbes: number;
  logger?: Logger;
  /** PEM certificate and key: serve HTTPS instead of HTTP. */
  tls?: ServerTls;
}

function errorAnswer(
  status: number,
  code: string,
  message: string,
  headers?: Record<string, string>,
): JsonResponse {
  return { status, body: { error: { code, message } }, ...(headers ? { headers } : {}) };
}

const bodyErrorStatus: Record<BodyErrorCode, number> = {
  BODY_TOO_LARGE: 413,
  INVALID_JSON: 400,
  INVALID_BODY: 400,
};

/**
 * The agent's port: `GET /healthz` without auth, `POST /v1/probe` with the
 * bearer token. Without the token anything else is a plain 404 that names
 * nothing (a censor scanning for vantage points learns nothing); with it,
 * a JSON 404 or 405. No request, however
 * malformed, can take the process down.
 */
export function createProbeAgentServer(options: ProbeAgentServerOptions): Server {
  const logger = options.logger ?? createLogger({ level: "silent" });
  const isAuthorized = bearerTokenCheck(options.token);
  let probesRunning = 0;

  async function answerProbe(
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<JsonResponse | undefined> {
    const body = await readJsonBody(request, probeRequestSchema);
    if (!body.ok) {
      return errorAnswer(bodyErrorStatus[body.error.code], body.error.code, body.error.message);
    }
    if (probesRunning >= options.maxConcurrentProbes) {
      return errorAnswer(
        429,
        "TOO_MANY_PROBES",
        `${options.maxConcurrentProbes} probes are already running; retry shortly`,
        { "Retry-After": "1" },
      );
    }
    const { target, timeoutMs } = body.value;
    // The leader gave up (timeout, lost leadership): the measurement is no longer wanted.
    const clientGone = new AbortController();
    const abortWhenClientGone = () => {
      if (!response.writableEnded) clientGone.abort();
    };
    response.once("close", abortWhenClientGone);
    probesRunning++;
    try {
      const outcome = await options.probe(target, { timeoutMs, signal: clientGone.signal });
      // The keys are secrets; the target is logged without them.
      const probed = { host: target.host, port: target.port, protocol: target.protocol };
      logger.info({ target: probed, ...outcome }, "probed");
      if (clientGone.signal.aborted) return undefined;
      return { status: 200, body: outcome };
    } finally {
      probesRunning--;
      response.off("close", abortWhenClientGone);
    }
  }

  async function answer(
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<JsonResponse | undefined> {
    const { pathname } = new URL(request.url ?? "/", "http://agent");
    const method = request.method ?? "GET";
    if (pathname === HEALTH_PATH && method === "GET") return { status: 200, body: { ok: true } };
    if (!isAuthorized(request)) {
      // A scanner, or a leader with the wrong token: the 404 any web server gives.
      logger.warn({ remoteAddress: request.socket.remoteAddress, pathname }, "refused a request");
      writeBlandNotFound(response);
      return undefined;
    }
    if (pathname === HEALTH_PATH) return methodNotAllowed(method, "GET");
    if (pathname === PROBE_PATH) {
      if (method !== "POST") return methodNotAllowed(method, "POST");
      return answerProbe(request, response);
    }
    return errorAnswer(
      404,
      "NOT_FOUND",
      `nothing at ${pathname}; the agent answers POST ${PROBE_PATH} and GET ${HEALTH_PATH}`,
    );
  }

  const handler = (request: IncomingMessage, response: ServerResponse) => {
    answer(request, response).then(
      (json) => {
        if (json) writeJson(response, json);
      },
      (error: unknown) => {
        logger.error({ err: error, url: request.url }, "request failed");
        if (!response.headersSent) {
          writeJson(response, errorAnswer(500, "INTERNAL", "the agent failed; see its log"));
        } else {
          response.destroy();
        }
      },
    );
  };
  return createHttpOrHttpsServer(handler, options.tls);
}

function methodNotAllowed(method: string, allowed: string): JsonResponse {
  return errorAnswer(405, "METHOD_NOT_ALLOWED", `${method} is not allowed here; use ${allowed}`, {
    Allow: allowed,
  });
}
