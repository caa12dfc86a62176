/**
 * Writers that keep putting new settings into a cluster while a test breaks
 * it, and remember exactly which writes were acknowledged: those must never
 * be lost, whatever happens next. Each write has a key of its own, so "still
 * there with its value" means "not lost".
 */
import { randomBytes } from "node:crypto";
import { sleep } from "../../shared/sleep.ts";
import type { Cluster, HarnessNode } from "./cluster-harness.ts";

export interface WriteLoadOptions {
  /** Writers running at once, each waiting for its answer before the next write. */
  concurrency: number;
  /** Keys are `<keyPrefix>-<n>`; distinct prefixes keep loads apart. */
  keyPrefix: string;
  /** Length of each value; default 32 characters. */
  valueChars?: number;
  /** The nodes to write through, in turn; default every running node. */
  targets?: () => readonly HarnessNode[];
  /** Pause after a failed write, so a node without a leader is not hammered; default 20 ms. */
  pauseAfterFailureMs?: number;
}

/** One acknowledged write. Times are `Date.now()` values. */
export interface Acknowledgement {
  key: string;
  value: string;
  index: number;
  via: string;
  startedAtMs: number;
  acknowledgedAtMs: number;
}

export interface WriteLoad {
  /** key -> value of every write a node acknowledged. */
  readonly acknowledged: ReadonlyMap<string, string>;
  /** Every acknowledgement, in the order they arrived. */
  readonly acknowledgements: readonly Acknowledgement[];
  readonly failures: number;
  /** The last failure, for reports: `<node>: <status> <code>: <message>`. */
  readonly lastFailure: string;
  /** Waits until `count` more writes than now have been acknowledged; throws after `timeoutMs`. */
  waitForMore(count: number, timeoutMs: number): Promise<void>;
  /** Stops the writers and waits for the writes in flight to finish. */
  stop(): Promise<void>;
}

/** Starts `options.concurrency` writers against `cluster`. */
export function startWriteLoad(cluster: Cluster, options: WriteLoadOptions): WriteLoad {
  const acknowledged = new Map<string, string>();
  const acknowledgements: Acknowledgement[] = [];
  const valueChars = options.valueChars ?? 32;
  const pauseMs = options.pauseAfterFailureMs ?? 20;
  const targets = options.targets ?? (() => cluster.nodes.filter((node) => node.running));
  let sequence = 0;
  let turn = 0;
  let failures = 0;
  let lastFailure = "";
  let running = true;

  const writer = async (): Promise<void> => {
    while (running) {
      const nodes = targets();
      const node = nodes[turn++ % Math.max(1, nodes.length)];
      if (!node) {
        await sleep(pauseMs);
        continue;
      }
      const key = `${options.keyPrefix}-${sequence++}`;
      const value = randomBytes(Math.ceil(valueChars / 2))
        .toString("hex")
        .slice(0, valueChars);
      const startedAtMs = Date.now();
      const result = await node.client.putSetting(key, value);
      if (result.ok) {
        acknowledged.set(key, value);
        acknowledgements.push({
          key,
          value,
          index: result.value.index,
          via: node.id,
          startedAtMs,
          acknowledgedAtMs: Date.now(),
        });
      } else {
        failures += 1;
        lastFailure = `${node.id}: ${result.error.status} ${result.error.code}: ${result.error.message}`;
        await sleep(pauseMs);
      }
    }
  };
  const writers = Array.from({ length: options.concurrency }, () => writer());

  return {
    acknowledged,
    acknowledgements,
    get failures() {
      return failures;
    },
    get lastFailure() {
      return lastFailure;
    },
    async waitForMore(count: number, timeoutMs: number): Promise<void> {
      const target = acknowledgements.length + count;
      const deadline = Date.now() + timeoutMs;
      while (acknowledgements.length < target) {
        if (Date.now() > deadline) {
          throw new Error(
            `only ${acknowledgements.length - target + count} of ${count} writes acknowledged within ${timeoutMs} ms (${failures} failures, last: ${lastFailure})`,
          );
        }
        await sleep(10);
      }
    },
    async stop(): Promise<void> {
      running = false;
      await Promise.all(writers);
    },
  };
}

/**
 * The acknowledged writes missing from `settings` or present with another
 * value, as `key: expected -> got` lines; empty when nothing was lost.
 */
export function lostWrites(
  acknowledged: ReadonlyMap<string, string>,
  settings: Readonly<Record<string, string>>,
): string[] {
  const lost: string[] = [];
  for (const [key, value] of acknowledged) {
    if (settings[key] !== value) lost.push(`${key}: ${value} -> ${settings[key] ?? "(missing)"}`);
  }
  return lost;
}
