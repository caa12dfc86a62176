import { test } from "uvu";
import * as assert from "uvu/assert";
import { defaultKeyPrefix, raftLogKeys } from "../../../cluster/storage/keys.ts";

test("every key of the store lives under the node's prefix", () => {
  const keys = raftLogKeys(defaultKeyPrefix("n1"));
  assert.equal(keys, {
    log: "nexaloak:n1:raft:log",
    hardState: "nexaloak:n1:raft:hardstate",
    snapshot: "nexaloak:n1:raft:snapshot",
  });
});

test("stores under different prefixes share no key", () => {
  const first = Object.values(raftLogKeys("nexaloak:n1:"));
  const second = Object.values(raftLogKeys("nexaloak:n10:"));
  assert.is(new Set([...first, ...second]).size, first.length + second.length);
});

test.run();
