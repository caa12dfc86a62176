/**
 * A client for one node's HTTP port as the process contract describes it:
 * health, readiness, metrics, status, settings and leadership transfer.
 * Writes sent to a follower follow its hint to the leader (leader-hint.ts).
 * Replies are checked against the contract's shapes, so a node that answers
 * 200 with the wrong body is reported as such rather than misread.
 */
import type { Agent } from "node:http";
import { z } from "zod";
import type { HttpJsonResponse } from "./http-json.ts";
import { requestFollowingLeader } from "./leader-hint.ts";

/** Why a call did not give the expected answer. `status` 0 means no HTTP response at all. */
export interface ApiError {
  status: number;
  /** The node's error code, or UNREACHABLE, BAD_RESPONSE, HTTP_<status>. */
  code: string;
  message: string;
  /** From a `Retry-After` header, when the node sent one. */
  retryAfterMs?: number;
}

export type ApiResult<Value> = { ok: true; value: Value } | { ok: false; error: ApiError };

const roleSchema = z.enum(["leader", "follower", "candidate", "precandidate", "learner"]);

/** What one node says about itself and the cluster (`GET /v1/status`). */
const statusSchema = z.object({
  id: z.string(),
  role: roleSchema,
  term: z.number().int().nonnegative(),
  leaderId: z.string().nullable(),
  commitIndex: z.number().int().nonnegative(),
  appliedIndex: z.number().int().nonnegative(),
  members: z.array(
    z.object({
      id: z.string(),
      url: z.string(),
      voter: z.boolean(),
      matchIndex: z.number().int().nonnegative().nullable(),
    }),
  ),
});

export type NodeStatus = z.infer<typeof statusSchema>;
export type NodeRole = z.infer<typeof roleSchema>;

const putSchema = z.object({
  key: z.string(),
  value: z.string(),
  index: z.number().int().positive(),
});
const getSchema = z.object({ key: z.string(), value: z.string() });
const settingsSchema = z.object({ settings: z.record(z.string(), z.string()) });
const errorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

export interface NodeClientOptions {
  /** Keep-alive pool for every call; default one connection per call. */
  agent?: Agent;
  /** Deadline of each call; default 5 000 ms. */
  timeoutMs?: number;
}

function retryAfterMs(response: HttpJsonResponse): number | undefined {
  const header = response.headers["retry-after"];
  if (header === undefined || Array.isArray(header)) return undefined;
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

/**
 * Checks a reply against the contract: `expectedStatus` with a body of
 * `schema`'s shape is the value; anything else becomes an ApiError with the
 * node's error code (and Retry-After) when it sent one.
 */
export function interpret<Value>(
  response: HttpJsonResponse,
  expectedStatus: number,
  schema: z.ZodType<Value>,
): ApiResult<Value> {
  if (response.status === 0) {
    return { ok: false, error: { status: 0, code: "UNREACHABLE", message: response.text } };
  }
  if (response.status === expectedStatus) {
    const parsed = schema.safeParse(response.body);
    if (parsed.success) return { ok: true, value: parsed.data };
    return {
      ok: false,
      error: {
        status: response.status,
        code: "BAD_RESPONSE",
        message: `${response.status} with an unexpected body: ${response.text.slice(0, 300)}`,
      },
    };
  }
  const error = errorSchema.safeParse(response.body);
  const retryAfter = retryAfterMs(response);
  return {
    ok: false,
    error: {
      status: response.status,
      code: error.success ? error.data.error.code : `HTTP_${response.status}`,
      message: error.success ? error.data.error.message : response.text.slice(0, 300),
      ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter }),
    },
  };
}

const memberKeysSchema = z.object({
  pinned: z.array(
    z.object({ nodeId: z.string(), publicKey: z.string(), admittedBy: z.string() }).loose(),
  ),
  revoked: z.array(z.object({ nodeId: z.string(), publicKey: z.string() }).loose()),
});
export type MemberKeys = z.infer<typeof memberKeysSchema>;

/** Talks to one node at `baseUrl` (`http://127.0.0.1:<port>`). */
export class NodeClient {
  constructor(
    readonly baseUrl: string,
    private readonly adminApiToken: string,
    private readonly options: NodeClientOptions = {},
  ) {}

  /** `GET /healthz`: answers while the process is alive. */
  async healthz(): Promise<ApiResult<{ status: string }>> {
    return interpret(await this.call("GET", "/healthz"), 200, z.object({ status: z.string() }));
  }

  /** `GET /readyz`: ok when the node knows a leader, its Redis works and it has applied what is committed. */
  async readyz(): Promise<ApiResult<{ ready: true }>> {
    const response = await this.call("GET", "/readyz");
    if (response.status === 503) {
      const body = z
        .object({ ready: z.literal(false), reason: z.string() })
        .safeParse(response.body);
      return {
        ok: false,
        error: {
          status: 503,
          code: body.success ? "NOT_READY" : "BAD_RESPONSE",
          message: body.success ? body.data.reason : response.text.slice(0, 300),
        },
      };
    }
    return interpret(response, 200, z.object({ ready: z.literal(true) }));
  }

  /** `GET /metrics` as Prometheus text. */
  async metrics(): Promise<ApiResult<string>> {
    const response = await this.call("GET", "/metrics");
    if (response.status === 200) return { ok: true, value: response.text };
    return interpret(response, 200, z.string());
  }

  /** `GET /v1/status`. */
  async status(): Promise<ApiResult<NodeStatus>> {
    return interpret(await this.call("GET", "/v1/status", undefined, true), 200, statusSchema);
  }

  /** `PUT /v1/settings/:key`: resolves once committed and applied on the leader. */
  async putSetting(
    key: string,
    value: string,
  ): Promise<ApiResult<{ key: string; value: string; index: number }>> {
    const path = `/v1/settings/${encodeURIComponent(key)}`;
    return interpret(await this.call("PUT", path, { value }, true), 200, putSchema);
  }

  /** `GET /v1/settings/:key`, linearizable; `NOT_FOUND`-style errors carry status 404. */
  async getSetting(key: string): Promise<ApiResult<{ key: string; value: string }>> {
    const path = `/v1/settings/${encodeURIComponent(key)}`;
    return interpret(await this.call("GET", path, undefined, true), 200, getSchema);
  }

  /** `GET /v1/members/keys`: the pinned and revoked node identity keys. */
  async memberKeys(): Promise<ApiResult<MemberKeys>> {
    return interpret(
      await this.call("GET", "/v1/members/keys", undefined, true),
      200,
      memberKeysSchema,
    );
  }

  /** `PUT /v1/members/:id/key`: re-admits a member under a new identity key. */
  async replaceMemberKey(nodeId: string, publicKey: string): Promise<ApiResult<unknown>> {
    const path = `/v1/members/${encodeURIComponent(nodeId)}/key`;
    return interpret(await this.call("PUT", path, { publicKey }, true), 200, z.unknown());
  }

  /** `DELETE /v1/members/:id/key`: revokes a member's identity key for good. */
  async revokeMemberKey(nodeId: string): Promise<ApiResult<unknown>> {
    const path = `/v1/members/${encodeURIComponent(nodeId)}/key`;
    return interpret(await this.call("DELETE", path, undefined, true), 200, z.unknown());
  }

  /** `GET /v1/settings`, linearizable. */
  async listSettings(): Promise<ApiResult<Record<string, string>>> {
    const result = interpret(
      await this.call("GET", "/v1/settings", undefined, true),
      200,
      settingsSchema,
    );
    return result.ok ? { ok: true, value: result.value.settings } : result;
  }

  /** `POST /v1/leadership/transfer`; without `to`, the node picks the most caught-up follower. */
  async transferLeadership(to?: string): Promise<ApiResult<{ status: string }>> {
    const body = to === undefined ? {} : { to };
    return interpret(
      await this.call("POST", "/v1/leadership/transfer", body, true),
      202,
      z.object({ status: z.string() }),
    );
  }

  /**
   * A raw call, for tests that check status codes and error bodies
   * themselves. A write sent to a follower goes on to the leader it names.
   */
  call(
    method: "GET" | "PUT" | "POST" | "DELETE",
    path: string,
    body?: unknown,
    authorized = false,
  ): Promise<HttpJsonResponse> {
    return requestFollowingLeader(this.baseUrl, path, {
      method,
      body,
      ...(authorized ? { bearerToken: this.adminApiToken } : {}),
      ...(this.options.agent ? { agent: this.options.agent } : {}),
      ...(this.options.timeoutMs === undefined ? {} : { timeoutMs: this.options.timeoutMs }),
    });
  }
}
