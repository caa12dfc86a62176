import { test } from "uvu";
import * as assert from "uvu/assert";
import { LeadershipRunner, type LeaderTask } from "../../cluster/leadership-runner.ts";
import type { LeadershipChange } from "../../cluster/node.ts";
import { silentLogger } from "../../shared/silent-logger.ts";
import { sleep, waitForAbort } from "../../shared/sleep.ts";

/** A node whose leadership the test flips by hand. */
function fakeNode(leading = false) {
  const listeners = new Set<(change: LeadershipChange) => void>();
  return {
    leading,
    isLeader() {
      return this.leading;
    },
    onLeadershipChange(listener: (change: LeadershipChange) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    set(isLeader: boolean) {
      this.leading = isLeader;
      for (const listener of listeners) listener({ isLeader, term: 1 });
    },
  };
}

/** A task that records its terms and takes `windDownMs` to wind down after the abort. */
function recordingTask(name: string, log: string[], windDownMs = 0): LeaderTask {
  let terms = 0;
  return {
    name,
    async runTerm(signal) {
      const term = ++terms;
      log.push(`${name} ${term} start`);
      await waitForAbort(signal);
      await sleep(windDownMs);
      log.push(`${name} ${term} end`);
    },
  };
}

const tick = () => sleep(5);

test("every task runs for each term of leadership, and stops when it ends", async () => {
  const node = fakeNode();
  const log: string[] = [];
  const runner = new LeadershipRunner({
    node,
    tasks: [recordingTask("bot", log), recordingTask("checks", log)],
    logger: silentLogger,
  });
  runner.start();
  assert.not.ok(runner.leading);
  node.set(true);
  await tick();
  assert.equal(log, ["bot 1 start", "checks 1 start"]);
  node.set(false);
  await tick();
  assert.equal(log.slice(2).sort(), ["bot 1 end", "checks 1 end"]);
  await runner.close();
});

test("a new term starts only once every task of the previous one has wound down", async () => {
  const node = fakeNode(true);
  const log: string[] = [];
  const runner = new LeadershipRunner({
    node,
    tasks: [recordingTask("slow", log, 50)],
    logger: silentLogger,
  });
  runner.start();
  await tick();
  node.set(false);
  node.set(true);
  await tick();
  assert.equal(log, ["slow 1 start"], "the second term waits");
  await sleep(80);
  assert.equal(log, ["slow 1 start", "slow 1 end", "slow 2 start"]);
  await runner.close();
  assert.equal(log.at(-1), "slow 2 end", "close waits for the running term");
});

test("a failing task is logged and does not stop the others; a task added mid-term joins it", async () => {
  const node = fakeNode(true);
  const log: string[] = [];
  const runner = new LeadershipRunner({
    node,
    tasks: [
      {
        name: "broken",
        runTerm: async () => {
          throw new Error("boom");
        },
      },
      recordingTask("bot", log),
    ],
    logger: silentLogger,
  });
  runner.start();
  await tick();
  runner.add(recordingTask("late", log));
  await tick();
  assert.equal(log, ["bot 1 start", "late 1 start"]);
  await runner.close();
  assert.equal(log.slice(2).sort(), ["bot 1 end", "late 1 end"]);
});

test.run();
