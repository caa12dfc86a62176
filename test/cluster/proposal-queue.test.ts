import { test } from "uvu";
import * as assert from "uvu/assert";
import { type LeaderView, ProposalQueue } from "../../cluster/proposal-queue.ts";

const proposal = (requestId: string, data = `{"id":"${requestId}"}`) => ({ requestId, data });
const leading = (committed: number, term = 2): LeaderView => ({ isLeader: true, term, committed });

test("an empty queue has nothing to propose", () => {
  const queue = new ProposalQueue(0);
  assert.is(queue.readyToPropose(leading(0)), false);
});

test("a leader with no batch in flight proposes at once, everything queued together", () => {
  const queue = new ProposalQueue(0);
  queue.add(proposal("a"));
  queue.add(proposal("b"));
  assert.ok(queue.readyToPropose(leading(10)));
  assert.equal(
    queue.take().map((queued) => queued.requestId),
    ["a", "b"],
  );
  assert.equal(queue.take(), [], "taking empties the queue");
});

test("while its batch is uncommitted a leader holds new proposals, and hands them all over once it commits", () => {
  const queue = new ProposalQueue(0);
  queue.add(proposal("a"));
  assert.ok(queue.readyToPropose(leading(10)));
  queue.take();
  queue.handedOver({ index: 11, term: 2 });
  queue.add(proposal("b"));
  queue.add(proposal("c"));
  assert.is(queue.readyToPropose(leading(10)), false, "entry 11 is not committed");
  assert.ok(queue.readyToPropose(leading(11)), "entry 11 committed");
  assert.equal(
    queue.take().map((queued) => queued.requestId),
    ["b", "c"],
  );
});

test("a node that does not lead hands proposals over at once (the core forwards or refuses them)", () => {
  const queue = new ProposalQueue(0);
  queue.handedOver({ index: 11, term: 2 });
  queue.add(proposal("a"));
  assert.ok(queue.readyToPropose({ isLeader: false, term: 2, committed: 5 }));
});

test("a batch of an earlier term holds nothing, even when the node leads again and that entry never commits", () => {
  const queue = new ProposalQueue(0);
  queue.handedOver({ index: 11, term: 2 });
  queue.add(proposal("a"));
  assert.ok(queue.readyToPropose(leading(9, 4)), "index 11 of term 2 may have been overwritten");
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
  assert.is(queue.readyToPropose(leading(5)), false, "nothing queued after clear");
  queue.add(proposal("b"));
  assert.ok(queue.readyToPropose(leading(5)), "no batch in flight after clear");
});

test.run();
