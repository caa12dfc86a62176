import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Entry, Message, MessageType } from "../../../cluster/raft/types.ts";
import { raftMessageSchema } from "../../../cluster/transport/raft-message-schema.ts";

const messageTypes: MessageType[] = [
  "app",
  "appResp",
  "vote",
  "voteResp",
  "preVote",
  "preVoteResp",
  "heartbeat",
  "heartbeatResp",
  "snap",
  "prop",
  "readIndex",
  "readIndexResp",
  "transferLeader",
  "timeoutNow",
];

const full: Message = {
  type: "app",
  from: "n1",
  to: "n2",
  term: 3,
  logTerm: 2,
  index: 10,
  entries: [
    { index: 11, term: 3, type: "normal", data: "{}" },
    { index: 12, term: 3, type: "confChange", data: '{"type":"addLearner","nodeId":"n4"}' },
  ],
  commit: 9,
  reject: false,
  rejectHint: 0,
  snapshot: {
    metadata: { index: 8, term: 2, confState: { voters: ["n1", "n2"], learners: ["n4"] } },
    data: "state",
  },
  context: "read-1",
};

function rejects(value: unknown): boolean {
  return !raftMessageSchema.safeParse(value).success;
}

test("a message using every field is accepted unchanged", () => {
  assert.equal(raftMessageSchema.parse(full), full);
});

test("a message with only the required fields is accepted", () => {
  const minimal: Message = { type: "prop", from: "n2", to: "n1", term: 0 };
  assert.equal(raftMessageSchema.parse(minimal), minimal);
});

test("every message type of the core is accepted, and no other", () => {
  for (const type of messageTypes) {
    assert.ok(raftMessageSchema.safeParse({ type, from: "n1", to: "n2", term: 1 }).success, type);
  }
  assert.ok(rejects({ type: "becomeLeader", from: "n1", to: "n2", term: 1 }));
});

test("terms and indexes must be non-negative safe integers", () => {
  for (const bad of [-1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 2, "3", null]) {
    assert.ok(rejects({ ...full, term: bad }), `term ${String(bad)}`);
    assert.ok(rejects({ ...full, index: bad }), `index ${String(bad)}`);
  }
});

test("node ids must be non-empty and bounded", () => {
  assert.ok(rejects({ ...full, from: "" }));
  assert.ok(rejects({ ...full, to: "n".repeat(129) }));
  assert.ok(rejects({ ...full, from: 1 }));
});

test("entries and snapshots are validated in depth", () => {
  const [entry] = full.entries as [Entry];
  assert.ok(rejects({ ...full, entries: [{ ...entry, type: "other" }] }));
  assert.ok(rejects({ ...full, entries: [{ ...entry, data: 5 }] }));
  assert.ok(rejects({ ...full, entries: {} }));
  const metadata = full.snapshot!.metadata;
  assert.ok(
    rejects({ ...full, snapshot: { ...full.snapshot, metadata: { ...metadata, confState: {} } } }),
  );
});

test("missing required fields are refused", () => {
  for (const field of ["type", "from", "to", "term"] as const) {
    const { [field]: _, ...rest } = full;
    assert.ok(rejects(rest), field);
  }
});

test("unknown fields are stripped so the core never sees them", () => {
  const parsed = raftMessageSchema.parse({
    ...full,
    extra: "x",
    entries: [{ ...full.entries![0], note: 1 }],
  });
  assert.not.ok("extra" in parsed);
  assert.not.ok("note" in (parsed.entries![0] as object));
});

test("any message the core can produce survives JSON and validation intact", () => {
  // Plain objects, as JSON.parse builds them, so deep equality compares like with like.
  const plain = { noNullPrototype: true };
  const counter = fc.nat({ max: 2 ** 40 });
  const nodeId = fc.constantFrom("n1", "n2", "n3", "node-42");
  const entry = fc.record(
    {
      index: counter,
      term: counter,
      type: fc.constantFrom("normal" as const, "confChange" as const),
      data: fc.string(),
    },
    plain,
  );
  const message = fc.record(
    {
      type: fc.constantFrom(...messageTypes),
      from: nodeId,
      to: nodeId,
      term: counter,
      logTerm: counter,
      index: counter,
      entries: fc.array(entry, { maxLength: 4 }),
      commit: counter,
      reject: fc.boolean(),
      rejectHint: counter,
      snapshot: fc.record(
        {
          metadata: fc.record(
            {
              index: counter,
              term: counter,
              confState: fc.record(
                {
                  voters: fc.array(nodeId, { maxLength: 3 }),
                  learners: fc.array(nodeId, { maxLength: 3 }),
                },
                plain,
              ),
            },
            plain,
          ),
          data: fc.string(),
        },
        plain,
      ),
      context: fc.string(),
    },
    { requiredKeys: ["type", "from", "to", "term"], ...plain },
  );
  fc.assert(
    fc.property(message, (original) => {
      const parsed = raftMessageSchema.safeParse(JSON.parse(JSON.stringify(original)));
      assert.ok(parsed.success);
      assert.equal(parsed.data, original);
    }),
    { numRuns: 300 },
  );
});

test.run();
