import { test } from "uvu";
import * as assert from "uvu/assert";
import { decodeConfChange, encodeConfChange } from "../../../cluster/raft/conf-change-codec.ts";

test("a change reads back as it was written, with or without its context", () => {
  for (const change of [
    { type: "addLearner", nodeId: "n4", context: "ws://10.0.0.4:7001" },
    { type: "addVoter", nodeId: "n4" },
    { type: "removeNode", nodeId: "n2" },
  ] as const)
    assert.equal(decodeConfChange(encodeConfChange(change)), change);
});

test("anything that is not a well-formed change reads as undefined, never a throw", () => {
  for (const data of [
    "",
    "not json",
    "null",
    "[]",
    '"addVoter"',
    '{"type":"addVoter"}',
    '{"type":"promote","nodeId":"n4"}',
    '{"type":"addVoter","nodeId":""}',
    `{"type":"addVoter","nodeId":"${"n".repeat(129)}"}`,
    '{"type":"addVoter","nodeId":7}',
    '{"type":"addLearner","nodeId":"n4","context":42}',
  ])
    assert.is(decodeConfChange(data), undefined, data);
});

test.run();
