import { test } from "uvu";
import * as assert from "uvu/assert";
import { OutboxQueue } from "../../../bot/jobs/outbox-queue.ts";
import { startRedisServer } from "../../../scripts/lib/redis-server.ts";
import { sleep } from "../../../shared/sleep.ts";

async function withQueue(
  body: (queue: OutboxQueue, delivered: Array<{ id: string; atMs: number }>) => Promise<void>,
): Promise<void> {
  const redis = await startRedisServer({ appendonly: false });
  const delivered: Array<{ id: string; atMs: number }> = [];
  const queue = new OutboxQueue({
    redis: { url: redis.url, prefix: "nexaloak:test:bull" },
    deliver: async (entryId) => {
      delivered.push({ id: entryId, atMs: performance.now() });
    },
    onSettled: () => undefined,
    concurrency: 5,
    jobsPerSecond: 30,
  });
  try {
    await body(queue, delivered);
  } finally {
    await queue.close();
    await redis.cleanup();
  }
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms`);
    await sleep(5);
  }
}

test("an entry queued twice while its job waits is delivered once", async () => {
  await withQueue(async (queue, delivered) => {
    await queue.enqueue("o7-0", 100);
    await queue.enqueue("o7-0", 0);
    await queue.enqueue("o7-1", 0);
    await until(() => delivered.length === 2, 3000);
    await sleep(200);
    assert.equal(delivered.map((delivery) => delivery.id).sort(), ["o7-0", "o7-1"]);
  });
});

test("a delayed job waits for its slot, and the depth counts it meanwhile", async () => {
  await withQueue(async (queue, delivered) => {
    const queuedAt = performance.now();
    await queue.enqueue("o8-0", 300);
    assert.is(await queue.depth(), 1);
    await until(() => delivered.length === 1, 3000);
    assert.ok(delivered[0]!.atMs - queuedAt >= 250, "not before its slot");
    let depth = await queue.depth();
    for (let attempt = 0; attempt < 100 && depth > 0; attempt++) {
      await sleep(10);
      depth = await queue.depth();
    }
    assert.is(depth, 0, "a finished job leaves the queue");
  });
});

test.run();
