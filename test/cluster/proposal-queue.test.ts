import { test } from "uvu";
import * as assert from "uvu/assert";
import { type LeaderView, ProposalQueue } from "../../cluster/proposal-queue.ts";

const proposal = (requestId: string, data = `{"id":"${requestId}"}`) => ({ requestId, data });
const leading = (committed: number, term = 2): LeaderView => ({ isLeader: true, term, committed });

test("an empty queue has nothing to propose", () => {
  const queue = new ProposalQueue(0);
  assert.is(queue.nextStep(leading(0)), "wait");
});

test("a leader with no batch in flight proposes at once, everything queued together", () => {
  const queue = new ProposalQueue(0);
  queue.add(proposal("a"));
  queue.add(proposal("b"));
  assert.is(queue.nextStep(leading(10)), "now");
  assert.equal(
    queue.take().map((queued) => queued.requestId),
    ["a", "b"],
  );
  assert.equal(queue.take(), [], "taking empties the queue");
});

test("while its batch is uncommitted a leader holds new proposals, and once it commits gathers more before handing them all over", () => {
  const queue = new ProposalQueue(0);
  queue.add(proposal("a"));
  assert.is(queue.nextStep(leading(10)), "now");
  queue.take();
  queue.handedOver({ index: 11, term: 2 });
  queue.add(proposal("b"));
  queue.add(proposal("c"));
  assert.is(queue.nextStep(leading(10)), "wait", "entry 11 is not committed");
  assert.is(queue.nextStep(leading(11)), "afterGathering", "entry 11 committed");
  assert.equal(
    queue.take().map((queued) => queued.requestId),
    ["b", "c"],
  );
});

test("a proposal arriving after the batch committed with nobody waiting is proposed at once: a lone writer gathers nothing", () => {
  const queue = new ProposalQueue(0);
  queue.add(proposal("a"));
  queue.take();
  queue.handedOver({ index: 11, term: 2 });
  assert.is(
    queue.nextStep(leading(11)),
    "wait",
    "the Ready loop sees the commit with an empty queue",
  );
  queue.add(proposal("b"));
  assert.is(queue.nextStep(leading(11)), "now");
});

test("a proposal that waited while the batch was in flight still gathers once it commits", () => {
  const queue = new ProposalQueue(0);
  queue.add(proposal("a"));
  queue.take();
  queue.handedOver({ index: 11, term: 2 });
  assert.is(queue.nextStep(leading(10)), "wait", "nothing queued, batch in flight");
  queue.add(proposal("b"));
  assert.is(queue.nextStep(leading(11)), "afterGathering");
});

test("a node that does not lead hands proposals over at once (the core forwards or refuses them)", () => {
  const queue = new ProposalQueue(0);
  queue.handedOver({ index: 11, term: 2 });
  queue.add(proposal("a"));
  assert.is(queue.nextStep({ isLeader: false, term: 2, committed: 5 }), "now");
});

test("a batch of an earlier term holds nothing, even when the node leads again and that entry never commits", () => {
  const queue = new ProposalQueue(0);
  queue.handedOver({ index: 11, term: 2 });
  queue.add(proposal("a"));
  assert.is(queue.nextStep(leading(9, 4)), "now", "index 11 of term 2 may have been overwritten");
});

test("the queue refuses a proposal that would take it past its limit, but always takes one", () => {
  const queue = new ProposalQueue(40);
  assert.ok(queue.add(proposal("big", "x".repeat(100))), "a lone proposal is never refused");
  assert.is(queue.add(proposal("next", "y")), false, "the queue is full");
  assert.equal(
    queue.take().map((queued) => queued.requestId),
    ["big"],
  );
  assert.ok(queue.add(proposal("after", "y".repeat(30))), "taking empties it");
  assert.ok(queue.add(proposal("fits", "z".repeat(10))), "40 bytes in all");
  assert.is(queue.add(proposal("over", "!")), false, "41 would not fit");
});

test("with no limit the queue takes any number of bytes", () => {
  const queue = new ProposalQueue(0);
  for (let position = 0; position < 100; position++)
    assert.ok(queue.add(proposal(String(position), "x".repeat(1000))));
  assert.is(queue.take().length, 100);
});

test("clear forgets the queue and the batch in flight", () => {
  const queue = new ProposalQueue(0);
  queue.handedOver({ index: 11, term: 2 });
  queue.add(proposal("a"));
  queue.clear();
  assert.is(queue.nextStep(leading(5)), "wait", "nothing queued after clear");
  queue.add(proposal("b"));
  assert.is(queue.nextStep(leading(5)), "now", "no batch in flight after clear");
});

test.run();
