/**
 * Closed-loop load: `writers` clients, each sending its next write as soon as
 * the previous one is acknowledged, all through one member, for a fixed time.
 * This measures commit throughput and latency at a given concurrency.
 */
import { Agent } from "node:http";
import { performance } from "node:perf_hooks";
import type { KvSystem } from "./kv-system.ts";
import { type Summary, summarize } from "./stats.ts";
import { benchKey, valueOfBytes } from "./write-value.ts";

export interface ClosedLoopOptions {
  member: number;
  writers: number;
  durationMs: number;
  valueBytes: number;
  keySpace: number;
  /** A write not acknowledged by then counts as an error. */
  requestTimeoutMs: number;
}

export interface ClosedLoopResult {
  acknowledged: number;
  errors: number;
  elapsedMs: number;
  opsPerSecond: number;
  /** Latency of acknowledged writes, in milliseconds. */
  latencyMs: Summary;
  /** Every acknowledged write's latency in milliseconds, in completion order (to merge runs). */
  samplesMs: number[];
}

export async function runClosedLoop(
  system: KvSystem,
  options: ClosedLoopOptions,
): Promise<ClosedLoopResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.writers });
  const value = valueOfBytes(options.valueBytes);
  const latencies: number[] = [];
  let errors = 0;
  let sequence = 0;
  const startedAt = performance.now();
  const endAt = startedAt + options.durationMs;
  try {
    await Promise.all(
      Array.from({ length: options.writers }, async () => {
        while (performance.now() < endAt) {
          const key = benchKey(sequence++, options.keySpace);
          const sentAt = performance.now();
          const ok = await system.put(options.member, key, value, agent, options.requestTimeoutMs);
          if (ok) latencies.push(performance.now() - sentAt);
          else errors += 1;
        }
      }),
    );
  } finally {
    agent.destroy();
  }
  const elapsedMs = performance.now() - startedAt;
  return {
    acknowledged: latencies.length,
    errors,
    elapsedMs,
    opsPerSecond: (latencies.length * 1000) / elapsedMs,
    latencyMs: summarize(latencies),
    samplesMs: latencies,
  };
}
