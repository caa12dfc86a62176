import { test } from "uvu";
import * as assert from "uvu/assert";
import { seededRandom } from "../../../cluster/raft/random.ts";
import { VirtualClock } from "../../../scripts/simulation/virtual-clock.ts";

const random = seededRandom(1);
const nothing = async () => undefined;

test("timers fire only when the clock is advanced, in time order, those of one instant together", async () => {
  const clock = new VirtualClock();
  const runtime = clock.runtimeFor({}, random);
  const fired: string[] = [];
  runtime.after(20, () => fired.push("b@20"));
  runtime.after(10, () => fired.push("a@10"));
  runtime.after(20, () => fired.push("c@20"));
  const instants: number[] = [];
  await clock.advanceTo(15, async () => {
    instants.push(clock.now);
  });
  assert.equal(fired, ["a@10"]);
  await clock.advanceTo(30, async () => {
    instants.push(clock.now);
  });
  assert.equal(fired, ["a@10", "b@20", "c@20"]);
  assert.equal(instants, [10, 20], "one check per instant");
  assert.is(runtime.nowMs(), 30);
});

test("a periodic timer repeats until cancelled; a cancelled one-off never fires", async () => {
  const clock = new VirtualClock();
  const runtime = clock.runtimeFor({}, random);
  let ticks = 0;
  const stop = runtime.every(10, () => ticks++);
  const cancel = runtime.after(5, () => assert.unreachable("cancelled"));
  cancel();
  await clock.advanceTo(35, nothing);
  assert.is(ticks, 3);
  stop();
  await clock.advanceTo(100, nothing);
  assert.is(ticks, 3);
});

test("a crashed incarnation's timers are all cancelled; another's keep running", async () => {
  const clock = new VirtualClock();
  const dead = {};
  const alive = {};
  const fired: string[] = [];
  clock.runtimeFor(dead, random).every(10, () => fired.push("dead"));
  clock.runtimeFor(alive, random).after(10, () => fired.push("alive"));
  clock.cancelAll(dead);
  await clock.advanceTo(50, nothing);
  assert.equal(fired, ["alive"]);
});

test.run();
