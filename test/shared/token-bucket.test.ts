import { test } from "uvu";
import * as assert from "uvu/assert";
import { KeyedTokenBuckets, TokenBucket } from "../../shared/token-bucket.ts";

test("a full bucket lets a burst through at once, then one send per interval", () => {
  const bucket = new TokenBucket({ perSecond: 2, burst: 3 });
  const sendTimes: number[] = [];
  for (let sendNumber = 0; sendNumber < 5; sendNumber++) {
    const atMs = bucket.earliest(0);
    bucket.take(atMs);
    sendTimes.push(atMs);
  }
  assert.equal(sendTimes, [0, 0, 0, 500, 1000]);
});

test("a quiet spell refills the bucket, but never beyond the burst", () => {
  const bucket = new TokenBucket({ perSecond: 1, burst: 2 });
  bucket.take(0);
  bucket.take(0);
  assert.is(bucket.earliest(0), 1000);
  assert.is(bucket.earliest(60_000), 60_000);
  bucket.take(60_000);
  bucket.take(60_000);
  assert.is(bucket.earliest(60_000), 61_000, "an hour of quiet still allows only a burst of 2");
});

test("sends counted without being seen keep the bucket from draining before the time given, never earlier than its own", () => {
  const bucket = new TokenBucket({ perSecond: 1, burst: 3 });
  bucket.spentUntil(2000);
  assert.is(bucket.earliest(0), 0, "one of the burst is left");
  bucket.take(0);
  assert.is(bucket.earliest(0), 1000);
  bucket.spentUntil(500);
  assert.is(bucket.earliest(0), 1000, "an earlier time changes nothing");
});

test("a bucket without a rate or burst is refused", () => {
  assert.throws(() => new TokenBucket({ perSecond: 0, burst: 1 }), /perSecond > 0/);
  assert.throws(() => new TokenBucket({ perSecond: 1, burst: 0 }), /burst >= 1/);
});

test("keyed buckets are separate, and a sweep of idle ones keeps a busy one", () => {
  const buckets = new KeyedTokenBuckets<number>({ perSecond: 1, burst: 1 }, 2);
  buckets.get(1, 0).take(0);
  assert.is(buckets.get(2, 0).earliest(0), 0, "another key has its own bucket");
  buckets.get(3, 500);
  assert.is(buckets.get(1, 500).earliest(500), 1000, "still limited after the sweep");
});

test.run();
