/**
 * Open-loop load for failover measurements: a new write every `intervalMs`,
 * through the running members in turn, whether or not earlier ones have
 * answered (up to `maxInFlight`). Writes stuck on a dead leader therefore
 * never stop new writes from probing whether the system commits again.
 */
import { Agent } from "node:http";
import { sleep } from "../../shared/sleep.ts";
import type { KvSystem } from "./kv-system.ts";
import { benchKey, valueOfBytes } from "./write-value.ts";

export interface OpenLoopOptions {
  intervalMs: number;
  requestTimeoutMs: number;
  maxInFlight: number;
  valueBytes: number;
  keySpace: number;
}

export interface OpenLoopWriter {
  /**
   * Resolves with the time (`Date.now()`) at which the first write sent at or
   * after `sentAfterMs` was acknowledged; throws after `timeoutMs`.
   */
  firstCommitSentAfter(sentAfterMs: number, timeoutMs: number): Promise<number>;
  stop(): Promise<void>;
}

export function startOpenLoopWriter(system: KvSystem, options: OpenLoopOptions): OpenLoopWriter {
  const agent = new Agent({ keepAlive: true, maxSockets: options.maxInFlight });
  const value = valueOfBytes(options.valueBytes);
  /** Acknowledged writes as [sentAtMs, acknowledgedAtMs], oldest first. */
  let acknowledged: Array<[number, number]> = [];
  const inFlight = new Set<Promise<void>>();
  let sequence = 0;
  let turn = 0;

  const timer = setInterval(() => {
    if (inFlight.size >= options.maxInFlight) return;
    const running = Array.from({ length: system.size }, (_, i) => i).filter((i) =>
      system.isRunning(i),
    );
    const member = running[turn++ % Math.max(1, running.length)];
    if (member === undefined) return;
    const sentAt = Date.now();
    const write = system
      .put(member, benchKey(sequence++, options.keySpace), value, agent, options.requestTimeoutMs)
      .then((ok) => {
        if (ok) acknowledged.push([sentAt, Date.now()]);
      })
      .finally(() => inFlight.delete(write));
    inFlight.add(write);
  }, options.intervalMs);

  return {
    async firstCommitSentAfter(sentAfterMs, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const first = acknowledged
          .filter(([sentAt]) => sentAt >= sentAfterMs)
          .reduce((earliest, [, ackedAt]) => Math.min(earliest, ackedAt), Number.POSITIVE_INFINITY);
        if (Number.isFinite(first)) {
          // Older acknowledgements will never be asked about again.
          acknowledged = acknowledged.filter(([sentAt]) => sentAt >= sentAfterMs);
          return first;
        }
        if (Date.now() > deadline) {
          throw new Error(`no write sent after the kill committed within ${timeoutMs} ms`);
        }
        await sleep(5);
      }
    },
    async stop() {
      clearInterval(timer);
      await Promise.all(inFlight);
      agent.destroy();
    },
  };
}
