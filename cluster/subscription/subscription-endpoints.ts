/**
 * The two paths of the public port that serve subscriptions: `GET /s/<token>`
 * for users' clients, rate-limited per client address, and
 * `POST /cluster/subscription-secrets` for other members (secret-exchange.ts).
 * An unknown or malformed token, and a secrets request that is not a
 * member's, get the same plain 404 as any unknown path.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { writeBlandNotFound } from "../../shared/bland-answer.ts";
import { readJsonBody } from "../../shared/json-body.ts";
import type { KeyRateLimit } from "../../shared/key-rate-limit.ts";
import type { Logger } from "../../shared/logger.ts";
import type { SubscriptionResponder } from "./subscription-responder.ts";
import type { SubscriptionSecretOwner } from "./subscription-secret-owner.ts";

/** Where users' clients fetch their subscription: `/s/<token>`. */
export const SUBSCRIPTION_PATH_PREFIX = "/s/";

/** The token in a subscription path, or undefined for any other path. */
export function subscriptionPathToken(pathname: string): string | undefined {
  if (!pathname.startsWith(SUBSCRIPTION_PATH_PREFIX)) return undefined;
  const token = pathname.slice(SUBSCRIPTION_PATH_PREFIX.length);
  return token.length > 0 && !token.includes("/") ? token : undefined;
}

export interface SubscriptionEndpointsOptions {
  responder: SubscriptionResponder;
  owner: SubscriptionSecretOwner;
  /** Subscription requests allowed per client address. */
  clientLimit: KeyRateLimit;
  logger: Logger;
}

function writeTooManyRequests(response: ServerResponse): void {
  response.writeHead(429, {
    "Content-Type": "text/plain; charset=utf-8",
    "Content-Length": "17",
    "Retry-After": "10",
  });
  response.end("Too Many Requests");
}

export class SubscriptionEndpoints {
  constructor(private readonly options: SubscriptionEndpointsOptions) {}

  /** Answers `GET /s/<token>`. */
  async serve(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const token = subscriptionPathToken(url.pathname) ?? "";
    if (!this.options.clientLimit.take(request.socket.remoteAddress ?? "")) {
      writeTooManyRequests(response);
      return;
    }
    const answer = await this.options.responder.respond(
      token,
      url.searchParams.get("format"),
      request.headers["user-agent"],
    );
    if (response.destroyed) return;
    if (answer.kind === "unknown") {
      writeBlandNotFound(response);
      return;
    }
    if (answer.kind === "badFormat") {
      const text = "unknown format; use outline, sip008, sing-box, clash or links";
      response.writeHead(400, {
        "Content-Type": "text/plain; charset=utf-8",
        "Content-Length": String(Buffer.byteLength(text)),
      });
      response.end(text);
      return;
    }
    if (answer.leftOut > 0)
      this.options.logger.debug(
        { format: answer.format, served: answer.served, leftOut: answer.leftOut },
        "a subscription was served without some of its configs",
      );
    response.writeHead(200, answer.headers);
    response.end(answer.rendered.body);
  }

  /** Answers `POST /cluster/subscription-secrets`; undefined: as to a stranger. */
  async answerSecrets(
    request: IncomingMessage,
  ): Promise<{ status: number; body: unknown; headers?: Record<string, string> } | undefined> {
    const body = await readJsonBody(request, z.unknown());
    if (!body.ok) return undefined;
    const answer = this.options.owner.answer(body.value);
    if (answer.ok) return { status: 200, body: answer.answer };
    if (answer.asker === undefined) return undefined;
    this.options.logger.warn(
      { asker: answer.asker, code: answer.code },
      "a member's request for subscription secrets was refused",
    );
    const status = answer.code === "TOO_MANY_REQUESTS" ? 429 : 403;
    return {
      status,
      body: { error: { code: answer.code, message: "no secrets for this request" } },
      ...(status === 429 ? { headers: { "Retry-After": "1" } } : {}),
    };
  }
}
