import type { IncomingMessage } from "node:http";

/** What a route handler answers; the server writes it as JSON. */
export interface ApiResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** Runs once the whole answer was handed to the network (not if the client went away first). */
  afterSent?: () => void;
}

export interface RouteContext {
  request: IncomingMessage;
  params: Record<string, string>;
  url: URL;
}

export type RouteHandler = (context: RouteContext) => Promise<ApiResponse> | ApiResponse;

/**
 * Which nodes handle a route. Reads are handled by every node (they are
 * linearizable through ReadIndex); writes by the leader only, and a follower
 * answers them with where the leader is (not-leader.ts), so that no admin
 * command is ever proposed by a follower.
 */
export type HandledBy = "anyNode" | "leader";

interface Route {
  method: string;
  segments: string[];
  handler: RouteHandler;
  handledBy: HandledBy;
}

/** A route that matched a request. */
export interface RouteMatch {
  handler: RouteHandler;
  params: Record<string, string>;
  handledBy: HandledBy;
}

/** A minimal method + path router: `/v1/settings/:key` binds `key`. */
export class Router {
  private readonly routes: Route[] = [];

  /** Adds a route; unless told otherwise, a GET is handled by any node and anything else by the leader. */
  add(
    method: string,
    pattern: string,
    handler: RouteHandler,
    handledBy: HandledBy = method === "GET" ? "anyNode" : "leader",
  ): this {
    this.routes.push({ method, segments: pattern.split("/").filter(Boolean), handler, handledBy });
    return this;
  }

  /** The matching route and its parameters; `allowed` lists methods when only the path matched. */
  match(method: string, path: string): RouteMatch | { allowed: string[] } | undefined {
    const parts = path.split("/").filter(Boolean);
    const allowed: string[] = [];
    for (const route of this.routes) {
      const params = matchSegments(route.segments, parts);
      if (!params) continue;
      if (route.method === method)
        return { handler: route.handler, params, handledBy: route.handledBy };
      allowed.push(route.method);
    }
    return allowed.length > 0 ? { allowed } : undefined;
  }
}

function matchSegments(pattern: string[], parts: string[]): Record<string, string> | undefined {
  if (pattern.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let position = 0; position < pattern.length; position++) {
    const expected = pattern[position]!;
    const actual = parts[position]!;
    if (expected.startsWith(":")) {
      try {
        params[expected.slice(1)] = decodeURIComponent(actual);
      } catch {
        return undefined;
      }
    } else if (expected !== actual) {
      return undefined;
    }
  }
  return params;
}
