/**
 * Closed-loop config issuing through the admin API: `concurrency` clients,
 * each asking for a config for a user nobody asked for before as soon as its
 * previous request is answered, spread over every node in turn (followers
 * forward to the leader), for a fixed time. Each request is a linearizable
 * read, a new user and a new config: two commits.
 */
import { Agent } from "node:http";
import { performance } from "node:perf_hooks";
import { ControlPlaneClient } from "../lib/control-plane-client.ts";
import { type Summary, summarize } from "./stats.ts";

export interface IssueLoadOptions {
  /** Base URLs of the nodes to send to, in turn. */
  nodeUrls: readonly string[];
  adminApiToken: string;
  concurrency: number;
  durationMs: number;
  /** Telegram ids are `firstUserId`, `firstUserId + 1`, …: one per request, never reused across runs. */
  firstUserId: number;
  /** The protocol asked for; the node's default (WireGuard) when absent. */
  protocol?: string;
}

export interface IssueLoadResult {
  issued: number;
  /** Refused or unanswered requests by error code. */
  errors: Map<string, number>;
  elapsedMs: number;
  issuedPerSecond: number;
  /** Latency of requests answered 201, in milliseconds. */
  latencyMs: Summary;
  /** The next unused user id. */
  nextUserId: number;
}

export async function runIssueLoad(options: IssueLoadOptions): Promise<IssueLoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const clients = options.nodeUrls.map(
    (url) => new ControlPlaneClient(url, options.adminApiToken, { agent }),
  );
  const latencies: number[] = [];
  const errors = new Map<string, number>();
  let sequence = 0;
  const startedAt = performance.now();
  const endAt = startedAt + options.durationMs;
  try {
    await Promise.all(
      Array.from({ length: options.concurrency }, async () => {
        while (performance.now() < endAt) {
          const request = sequence++;
          const client = clients[request % clients.length]!;
          const sentAt = performance.now();
          const result = await client.issueConfig(
            String(options.firstUserId + request),
            options.protocol === undefined ? {} : { protocol: options.protocol },
          );
          if (result.ok) latencies.push(performance.now() - sentAt);
          else errors.set(result.error.code, (errors.get(result.error.code) ?? 0) + 1);
        }
      }),
    );
  } finally {
    agent.destroy();
  }
  const elapsedMs = performance.now() - startedAt;
  return {
    issued: latencies.length,
    errors,
    elapsedMs,
    issuedPerSecond: (latencies.length * 1000) / elapsedMs,
    latencyMs: summarize(latencies),
    nextUserId: options.firstUserId + sequence,
  };
}
