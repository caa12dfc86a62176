import { test } from "uvu";
import * as assert from "uvu/assert";
import { SimulatedLogStore } from "../../../scripts/simulation/simulated-log-store.ts";
import { entryRange, hardState } from "../../cluster/storage/log-model.ts";

function storeWithDelays(delays: number[]) {
  const clock = { tick: 0 };
  const store = new SimulatedLogStore(
    () => delays.shift() ?? 0,
    () => clock.tick,
  );
  return { store, clock };
}

test("a write is durable once acknowledged, and slow writes complete in order", async () => {
  const { store, clock } = storeWithDelays([2, 0]);
  const redis = store.connect();
  const order: string[] = [];
  const first = redis
    .save({ entries: entryRange(1, 2, 1), hardState: hardState(1, 0) })
    .then(() => order.push("first"));
  const second = redis
    .save({ entries: entryRange(3, 3, 1), hardState: hardState(1, 0) })
    .then(() => order.push("second"));
  assert.is(store.durableLastIndex(), 0, "nothing is durable before the acknowledgement");
  clock.tick = 1;
  assert.not.ok(store.completeDue());
  clock.tick = 2;
  assert.ok(store.completeDue());
  await Promise.all([first, second]);
  assert.equal(order, ["first", "second"], "a fast write waits behind a slow one");
  assert.is(store.durableLastIndex(), 3);
  assert.equal((await redis.load()).entries.length, 3);
});

test("a crash loses the writes in flight, except a prefix Redis carried out; none is acknowledged", async () => {
  const { store, clock } = storeWithDelays([1, 1, 1]);
  const redis = store.connect();
  let acknowledged = 0;
  for (let index = 1; index <= 3; index++)
    void redis
      .save({ entries: entryRange(index, index, 1), hardState: hardState(1, 0) })
      .then(() => acknowledged++);
  store.crash(1);
  clock.tick = 5;
  store.completeDue();
  await new Promise((resolve) => setImmediate(resolve));
  assert.is(acknowledged, 0);
  assert.is(store.durableLastIndex(), 1, "the first write reached Redis before the crash");
  assert.is(store.writesLostInCrashes, 2);
  const restarted = store.connect();
  assert.equal(
    (await restarted.load()).entries.map((entry) => entry.index),
    [1],
  );
});

test("while Redis is down every call fails as unavailable and changes nothing", async () => {
  const { store } = storeWithDelays([]);
  const redis = store.connect();
  store.down = true;
  const failure = await redis
    .save({ hardState: hardState(2, 0, "n2") })
    .catch((error: { code: string }) => error.code);
  assert.is(failure, "STORAGE_UNAVAILABLE");
  assert.is(
    await redis.load().catch((error: { code: string }) => error.code),
    "STORAGE_UNAVAILABLE",
  );
  store.down = false;
  assert.equal(store.durable.hardState, hardState(0, 0));
});

test("an older incarnation's calls never answer once a new one connected", async () => {
  const { store } = storeWithDelays([]);
  const old = store.connect();
  store.connect();
  let answered = false;
  void old.load().then(() => {
    answered = true;
  });
  await new Promise((resolve) => setImmediate(resolve));
  assert.not.ok(answered);
});

test.run();
