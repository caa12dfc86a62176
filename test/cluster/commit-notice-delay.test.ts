import { test } from "uvu";
import * as assert from "uvu/assert";
import { COMMIT_NOTICE_HOLD_MS, CommitNoticeDelay } from "../../cluster/commit-notice-delay.ts";
import type { Entry, Message } from "../../cluster/raft/types.ts";
import { VirtualClock } from "../../scripts/simulation/virtual-clock.ts";

const noRandom = { nextInt: () => 0 };

function harness() {
  const clock = new VirtualClock();
  const sent: Message[][] = [];
  const delay = new CommitNoticeDelay(clock.runtimeFor({}, noRandom), (messages) =>
    sent.push([...messages]),
  );
  const advance = (ms: number) => clock.advanceTo(clock.now + ms, async () => undefined);
  return { delay, sent, advance };
}

function entry(index: number): Entry {
  return { index, term: 2, type: "normal", data: `e${index}` };
}

function append(to: string, index: number, commit: number, entries: Entry[] = []): Message {
  return { type: "app", from: "n1", to, term: 2, index, logTerm: 2, entries, commit };
}

test("an append that only carries a commit index waits, and goes out after the hold time", async () => {
  const { delay, sent, advance } = harness();
  delay.submit([append("n2", 5, 5)]);
  assert.equal(sent, []);
  await advance(COMMIT_NOTICE_HOLD_MS - 1);
  assert.equal(sent, []);
  await advance(1);
  assert.equal(sent, [[append("n2", 5, 5)]]);
});

test("the next append with entries carries the commit instead: the notice is never sent", async () => {
  const { delay, sent, advance } = harness();
  delay.submit([append("n2", 5, 5), append("n3", 5, 5)]);
  const next = [append("n2", 5, 5, [entry(6)]), append("n3", 5, 5, [entry(6)])];
  delay.submit(next);
  assert.equal(sent, [next]);
  await advance(COMMIT_NOTICE_HOLD_MS * 2);
  assert.equal(sent, [next], "nothing left to send");
});

test("a newer notice replaces an older one to the same peer", async () => {
  const { delay, sent, advance } = harness();
  delay.submit([append("n2", 5, 4)]);
  delay.submit([append("n2", 5, 5)]);
  await advance(COMMIT_NOTICE_HOLD_MS);
  assert.equal(sent, [[append("n2", 5, 5)]]);
});

test("a heartbeat takes the held notice along, in order", () => {
  const { delay, sent } = harness();
  delay.submit([append("n2", 5, 5)]);
  const heartbeat: Message = { type: "heartbeat", from: "n1", to: "n2", term: 2, commit: 5 };
  delay.submit([heartbeat]);
  assert.equal(sent, [[append("n2", 5, 5), heartbeat]]);
});

test("an append that tells less (an earlier probe, or another term) does not drop the notice", () => {
  const { delay, sent } = harness();
  delay.submit([append("n2", 5, 5)]);
  const probe = append("n2", 2, 5, [entry(3)]);
  delay.submit([probe]);
  assert.equal(sent, [[append("n2", 5, 5), probe]]);

  const other = harness();
  other.delay.submit([append("n2", 5, 5)]);
  const nextTerm: Message = { ...append("n2", 5, 5, [entry(6)]), term: 3 };
  other.delay.submit([nextTerm]);
  assert.equal(other.sent, [[append("n2", 5, 5), nextTerm]]);
});

test("messages to other peers are not held back by a notice", () => {
  const { delay, sent } = harness();
  delay.submit([append("n2", 5, 5)]);
  const vote: Message = { type: "appResp", from: "n1", to: "n3", term: 2, index: 5 };
  delay.submit([vote]);
  assert.equal(sent, [[vote]]);
});

test("release sends what is held at once; discard drops it and its timer", async () => {
  const { delay, sent, advance } = harness();
  delay.submit([append("n2", 5, 5)]);
  delay.release();
  assert.equal(sent, [[append("n2", 5, 5)]]);
  delay.submit([append("n3", 5, 5)]);
  delay.discard();
  await advance(COMMIT_NOTICE_HOLD_MS * 2);
  assert.equal(sent.length, 1);
});

test.run();
