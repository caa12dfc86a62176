/**
 * A client for one node's control-plane API (servers and configs under
 * `/v1`), for tests and benchmarks. Replies are checked against the API's
 * contract, so a node that answers 201 with the wrong body is reported as
 * such rather than misread; error replies keep their code and Retry-After.
 * Writes sent to a follower follow its hint to the leader (leader-hint.ts).
 */
import type { Agent } from "node:http";
import { z } from "zod";
import type { HttpJsonRequest, HttpJsonResponse } from "./http-json.ts";
import { requestFollowingLeader } from "./leader-hint.ts";
import { type ApiResult, interpret } from "./node-client.ts";

const serverStatusSchema = z.enum(["active", "draining", "banned", "down"]);

/** A server as `GET /v1/servers` lists it (the fields tests and benchmarks read). */
const serverSchema = z.object({
  id: z.string(),
  publicKey: z.string(),
  listenPort: z.number().int(),
  apiPort: z.number().int(),
  endpointHost: z.string().nullable(),
  subnet: z.string(),
  tunnelAddress: z.string(),
  capacity: z.number().int(),
  region: z.string(),
  status: serverStatusSchema,
  statusReason: z.string(),
  statusActor: z.string(),
  liveConfigs: z.number().int().nonnegative(),
  checks: z.object({
    recent: z.array(
      z.object({ round: z.number(), verdict: z.string(), evidence: z.string(), at: z.number() }),
    ),
    consecutiveFiltered: z.number().int(),
    consecutiveDown: z.number().int(),
  }),
});

/** A config as the API shows it: never its keys. */
const configSchema = z.object({
  id: z.string(),
  userId: z.string(),
  serverId: z.string(),
  address: z.string(),
  protocol: z.enum(["wireguard", "amneziawg"]),
  createdAt: z.number().int(),
  expiresAt: z.number().int().nullable(),
  revokedAt: z.number().int().nullable(),
  revokeReason: z.string().nullable(),
});

const issuedSchema = z.object({
  config: configSchema,
  conf: z.string().nullable(),
  confMissing: z.object({ code: z.string(), message: z.string() }).optional(),
});

export type ServerView = z.infer<typeof serverSchema>;
export type ServerStatus = z.infer<typeof serverStatusSchema>;
export type ConfigView = z.infer<typeof configSchema>;

/** A config just issued (or replayed): the record, its `.conf`, and whether it answered a retry. */
export interface IssuedConfig {
  config: ConfigView;
  /** Null on a replay after the private key was erased (delivered) or the config revoked. */
  conf: string | null;
  /** Why `conf` is null: `KEYS_ERASED` or `CONFIG_REVOKED`. */
  confMissing?: { code: string; message: string };
  /** The reply carried `Idempotent-Replayed: true`: the key had been used and nothing was created. */
  replayed: boolean;
}

/** What the admin can do to a server: `POST /v1/servers/:id/<action>`. */
export type ServerAction = "ban" | "unban" | "drain" | "activate";

export interface ControlPlaneClientOptions {
  /** Keep-alive pool for every call; default one connection per call. */
  agent?: Agent;
  /** Deadline of each call; default 12 000 ms, above the node's own 5 s request timeout. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 12_000;

/** Talks to the control-plane API of the node at `baseUrl` (`http://127.0.0.1:<port>`). */
export class ControlPlaneClient {
  constructor(
    readonly baseUrl: string,
    private readonly adminApiToken: string,
    private readonly options: ControlPlaneClientOptions = {},
  ) {}

  /** `GET /v1/servers`, linearizable. */
  async servers(): Promise<ApiResult<ServerView[]>> {
    const result = interpret(
      await this.call("GET", "/v1/servers"),
      200,
      z.object({ servers: z.array(serverSchema) }),
    );
    return result.ok ? { ok: true, value: result.value.servers } : result;
  }

  /** `POST /v1/users/:userId/configs`; with `idempotencyKey`, a retry returns the first config. */
  async issueConfig(
    userId: string,
    request: { region?: string; idempotencyKey?: string; protocol?: string } = {},
  ): Promise<ApiResult<IssuedConfig>> {
    const body = {
      ...(request.region === undefined ? {} : { region: request.region }),
      ...(request.protocol === undefined ? {} : { protocol: request.protocol }),
    };
    const response = await this.call("POST", `/v1/users/${encodeURIComponent(userId)}/configs`, {
      ...(Object.keys(body).length === 0 ? {} : { body }),
      ...(request.idempotencyKey === undefined
        ? {}
        : { headers: { "idempotency-key": request.idempotencyKey } }),
    });
    const result = interpret(response, 201, issuedSchema);
    if (!result.ok) return result;
    return {
      ok: true,
      value: { ...result.value, replayed: response.headers["idempotent-replayed"] === "true" },
    };
  }

  /** `POST /v1/configs/:id/rekey`: the config with a new key pair, as a fresh `.conf`. */
  async rekeyConfig(configId: string): Promise<ApiResult<IssuedConfig>> {
    const response = await this.call("POST", `/v1/configs/${encodeURIComponent(configId)}/rekey`);
    const result = interpret(response, 200, issuedSchema);
    return result.ok ? { ok: true, value: { ...result.value, replayed: false } } : result;
  }

  /** `GET /v1/users/:userId/configs`: every config the user ever had, oldest first. */
  async configsOf(userId: string): Promise<ApiResult<ConfigView[]>> {
    const result = interpret(
      await this.call("GET", `/v1/users/${encodeURIComponent(userId)}/configs`),
      200,
      z.object({ configs: z.array(configSchema) }),
    );
    return result.ok ? { ok: true, value: result.value.configs } : result;
  }

  /** `DELETE /v1/configs/:id`: revokes a live config. */
  async revokeConfig(configId: string): Promise<ApiResult<ConfigView>> {
    const result = interpret(
      await this.call("DELETE", `/v1/configs/${encodeURIComponent(configId)}`),
      200,
      z.object({ config: configSchema }),
    );
    return result.ok ? { ok: true, value: result.value.config } : result;
  }

  /** `POST /v1/servers/:id/<action>` with an optional reason; resolves with the server afterwards. */
  async changeServer(
    serverId: string,
    action: ServerAction,
    reason?: string,
  ): Promise<ApiResult<ServerView>> {
    const result = interpret(
      await this.call("POST", `/v1/servers/${encodeURIComponent(serverId)}/${action}`, {
        body: reason === undefined ? {} : { reason },
      }),
      200,
      z.object({ server: serverSchema }),
    );
    return result.ok ? { ok: true, value: result.value.server } : result;
  }

  /**
   * A raw authorized call, for tests that check status codes and error
   * bodies themselves (malformed bodies, odd headers). A write sent to a
   * follower goes on to the leader it names.
   */
  call(
    method: "GET" | "PUT" | "POST" | "DELETE",
    path: string,
    request: Pick<HttpJsonRequest, "body" | "rawBody" | "headers"> = {},
  ): Promise<HttpJsonResponse> {
    return requestFollowingLeader(this.baseUrl, path, {
      method,
      ...request,
      bearerToken: this.adminApiToken,
      timeoutMs: this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      ...(this.options.agent ? { agent: this.options.agent } : {}),
    });
  }
}
