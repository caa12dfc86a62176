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

interface Route {
  method: string;
  segments: string[];
  handler: RouteHandler;
}

/** A minimal method + path router: `/v1/settings/:key` binds `key`. */
export class Router {
  private readonly routes: Route[] = [];

  add(method: string, pattern: string, handler: RouteHandler): this {
    this.routes.push({ method, segments: pattern.split("/").filter(Boolean), handler });
    return this;
  }

  /** The matching handler and its parameters; `allowed` lists methods when only the path matched. */
  match(
    method: string,
    path: string,
  ): { handler: RouteHandler; params: Record<string, string> } | { allowed: string[] } | undefined {
    const parts = path.split("/").filter(Boolean);
    const allowed: string[] = [];
    for (const route of this.routes) {
      const params = matchSegments(route.segments, parts);
      if (!params) continue;
      if (route.method === method) return { handler: route.handler, params };
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
