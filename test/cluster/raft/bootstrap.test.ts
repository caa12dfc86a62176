import { test } from "uvu";
import * as assert from "uvu/assert";
import { bootstrapEntries, bootstrapStorage } from "../../../cluster/raft/bootstrap.ts";
import { MemoryStorage } from "../../../cluster/raft/storage.ts";
import type { ConfChange } from "../../../cluster/raft/types.ts";
import { Network } from "./support/network.ts";

test("every founder writes the same log, whatever order it lists the founders in", () => {
  const fromN1 = bootstrapEntries(["n1", "n2", "n3"]);
  const fromN3 = bootstrapEntries(["n3", "n1", "n2"]);
  assert.equal(fromN1, fromN3);
  assert.equal(
    fromN1.map((e) => [e.index, e.term, e.type, JSON.parse(e.data) as ConfChange]),
    [
      [1, 1, "confChange", { type: "addVoter", nodeId: "n1" }],
      [2, 1, "confChange", { type: "addVoter", nodeId: "n2" }],
      [3, 1, "confChange", { type: "addVoter", nodeId: "n3" }],
    ],
  );
});

test("bootstrapping writes the entries committed at term 1", () => {
  const storage = new MemoryStorage();
  assert.ok(bootstrapStorage(storage, ["n2", "n1"]));
  assert.is(storage.lastIndex(), 2);
  assert.equal(storage.initialState().hardState, { term: 1, vote: "", commit: 2 });
  assert.equal(storage.initialState().confState, { voters: [], learners: [] });
});

test("a storage that already holds a log or a term is never bootstrapped again", () => {
  const used = new MemoryStorage();
  bootstrapStorage(used, ["n1", "n2", "n3"]);
  used.setHardState({ term: 5, vote: "n2", commit: 3 });
  assert.not.ok(bootstrapStorage(used, ["n1", "n9"]));
  assert.is(used.lastIndex(), 3);
  assert.equal(used.initialState().hardState, { term: 5, vote: "n2", commit: 3 });
  const termOnly = new MemoryStorage();
  termOnly.setHardState({ term: 2, vote: "", commit: 0 });
  assert.not.ok(bootstrapStorage(termOnly, ["n1"]));
  assert.is(termOnly.lastIndex(), 0);
});

test("founders learn the membership by applying the bootstrap entries, then elect a leader", () => {
  const network = new Network({ voters: ["n1", "n2", "n3"], bootstrap: true });
  for (const id of ["n1", "n2", "n3"]) {
    assert.equal(network.raft(id).tracker.confState(), {
      voters: ["n1", "n2", "n3"],
      learners: [],
    });
  }
  network.tickUntil(() => network.leaders().length === 1, 100);
  const leader = network.leaders()[0] ?? "";
  network.propose(leader, "hello");
  const logs = ["n1", "n2", "n3"].map((id) => network.node(id).storage.allEntries());
  assert.equal(logs[1], logs[0]);
  assert.equal(logs[2], logs[0]);
  assert.is(logs[0]?.length, 5, "3 bootstrap entries, the leader's no-op, the proposal");
});

test.run();
