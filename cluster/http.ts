import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { bearerDigestCheck } from "../shared/bearer-token.ts";
import { writeBlandNotFound } from "../shared/bland-answer.ts";
import { createHttpOrHttpsServer, type ServerTls } from "../shared/http-server.ts";
import { writeJson } from "../shared/json-response.ts";
import type { Logger } from "../shared/logger.ts";
import type { TrustedNetworks } from "../shared/trusted-networks.ts";
import { OBSERVED_ADDRESS_PATH } from "./address-discovery.ts";
import { errorResponse } from "./api/respond.ts";
import type { ApiResponse, Router } from "./api/router.ts";
import { JOIN_PATH } from "./membership/join-protocol.ts";
import type { NodeMetrics } from "./metrics.ts";
import { SUBSCRIPTION_SECRETS_PATH } from "./subscription/secret-exchange.ts";
import {
  type SubscriptionEndpoints,
  subscriptionPathToken,
} from "./subscription/subscription-endpoints.ts";

export interface NodeServerOptions {
  router: Router;
  /** SHA-256 (hex) of the admin API token. */
  /** SHA-256 (hex) of every admin token accepted: two while one replaces the other. */
  adminApiTokenSha256s: readonly string[];
  metrics: NodeMetrics;
  readiness: () => { ready: boolean; reason?: string };
  /** Answers `GET /cluster/observed-address` (peers learning their public address). */
  observedAddress: (request: IncomingMessage) => ApiResponse;
  /** Answers `POST /cluster/join` (a new node with a join token); undefined: as to a stranger. */
  join?: (request: IncomingMessage) => Promise<ApiResponse | undefined>;
  /** Serves `GET /s/<token>` and members' `POST /cluster/subscription-secrets`; unset: 404. */
  subscriptions?: () => SubscriptionEndpoints | undefined;
  /** While this returns a reason (e.g. the node is still connecting to Redis), `/v1` answers 503. */
  apiUnavailableReason: () => string | undefined;
  /**
   * The answer to a request for a route only the leader handles, given before
   * its handler runs or its body is read: undefined on the leader; on any
   * other node, where the leader is (api/not-leader.ts).
   */
  notLeaderAnswer: () => ApiResponse | undefined;
  logger: Logger;
  /** PEM certificate and key: serve HTTPS (and so wss:// for peers). */
  tls?: ServerTls;
  /** Who sees details without the admin token (TRUSTED_NETWORKS); default nobody. */
  trustedNetworks?: TrustedNetworks;
}

/**
 * The node's one port: `/healthz`, `/readyz`, `/metrics`, the admin API under
 * `/v1` (bearer token), users' subscriptions under `/s/`, and (attached by
 * the transport) the peer WebSocket at `/raft`. No request, however malformed, can take the process down. Admin
 * writes are handled by the leader only; a follower says where it is.
 *
 * Only a request with the admin token or from a trusted network sees
 * anything that names the product: `/metrics`, why the node is not ready,
 * and error answers. Any other client gets `/healthz`, a bare readiness
 * answer, and a plain 404 for everything else, as from any web server.
 */
export function createNodeServer(options: NodeServerOptions): Server {
  const isAdmin = bearerDigestCheck(options.adminApiTokenSha256s);
  const trusted = options.trustedNetworks ?? (() => false);
  const handler = (request: IncomingMessage, response: ServerResponse) => {
    const admin = isAdmin(request);
    const shown = admin || trusted(request.socket.remoteAddress);
    handle(options, admin, shown, request, response).catch((error: unknown) => {
      options.logger.error({ err: error, url: request.url }, "request failed");
      if (response.headersSent) response.destroy();
      else if (!shown) writeBlandNotFound(response);
      else
        writeJson(
          response,
          errorResponse(500, "INTERNAL", "the node failed to answer; see its log"),
        );
    });
  };
  return createHttpOrHttpsServer(handler, options.tls);
}

async function handle(
  options: NodeServerOptions,
  /** Whether the request carries the admin API token. */
  admin: boolean,
  shown: boolean,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const url = new URL(request.url ?? "/", "http://node");
  const method = request.method ?? "GET";
  if (url.pathname === "/healthz" && method === "GET") {
    writeJson(response, { status: 200, body: { status: "ok" } });
    return;
  }
  if (url.pathname === "/readyz" && method === "GET") {
    const readiness = options.readiness();
    const body = shown ? readiness : { ready: readiness.ready };
    writeJson(response, { status: readiness.ready ? 200 : 503, body });
    return;
  }
  if (url.pathname === OBSERVED_ADDRESS_PATH && method === "GET") {
    const answer = options.observedAddress(request);
    if (answer.status === 200 || shown) writeJson(response, answer);
    else writeBlandNotFound(response);
    return;
  }
  if (url.pathname === JOIN_PATH && method === "POST" && options.join) {
    const answer = await options.join(request);
    if (answer) writeJson(response, answer);
    else writeBlandNotFound(response);
    return;
  }
  const subscriptions = options.subscriptions?.();
  if (subscriptions && method === "GET" && subscriptionPathToken(url.pathname) !== undefined) {
    await subscriptions.serve(request, response, url);
    return;
  }
  if (subscriptions && method === "POST" && url.pathname === SUBSCRIPTION_SECRETS_PATH) {
    const answer = await subscriptions.answerSecrets(request);
    if (answer) writeJson(response, answer);
    else writeBlandNotFound(response);
    return;
  }
  if (!shown) {
    writeBlandNotFound(response);
    return;
  }
  if (url.pathname === "/metrics" && method === "GET") {
    const text = await options.metrics.registry.metrics();
    response.writeHead(200, { "Content-Type": options.metrics.registry.contentType });
    response.end(text);
    return;
  }
  if (!url.pathname.startsWith("/v1/")) {
    writeJson(response, errorResponse(404, "NOT_FOUND", `nothing at ${url.pathname}`));
    return;
  }
  if (!admin) {
    writeJson(
      response,
      errorResponse(401, "UNAUTHORIZED", "send Authorization: Bearer <ADMIN_API_TOKEN>", {
        "WWW-Authenticate": "Bearer",
      }),
    );
    return;
  }
  const unavailable = options.apiUnavailableReason();
  if (unavailable) {
    writeJson(response, errorResponse(503, "NOT_READY", unavailable, { "Retry-After": "1" }));
    return;
  }
  const match = options.router.match(method, url.pathname);
  if (!match) {
    writeJson(response, errorResponse(404, "NOT_FOUND", `no API at ${method} ${url.pathname}`));
    return;
  }
  if ("allowed" in match) {
    writeJson(
      response,
      errorResponse(
        405,
        "METHOD_NOT_ALLOWED",
        `${method} is not allowed here; use ${match.allowed.join(", ")}`,
        {
          Allow: match.allowed.join(", "),
        },
      ),
    );
    return;
  }
  const notLeader = match.handledBy === "leader" ? options.notLeaderAnswer() : undefined;
  if (notLeader) {
    writeJson(response, notLeader);
    return;
  }
  const answer = await match.handler({ request, params: match.params, url });
  const { afterSent } = answer;
  if (afterSent) response.once("finish", afterSent);
  writeJson(response, answer);
}
