import { test } from "uvu";
import * as assert from "uvu/assert";
import { RaftInvariantError } from "../../../cluster/raft/errors.ts";
import { Raft } from "../../../cluster/raft/raft.ts";
import { seededRandom } from "../../../cluster/raft/random.ts";
import { MemoryStorage } from "../../../cluster/raft/storage.ts";

test("an invariant violation is an Error named RaftInvariantError", () => {
  const error = new RaftInvariantError("commit 9 is beyond last index 3");
  assert.instance(error, Error);
  assert.is(error.name, "RaftInvariantError");
  assert.ok(String(error).startsWith("RaftInvariantError: commit 9"));
});

test("the core refuses a configuration whose election timeout is not above the heartbeat", () => {
  const storage = new MemoryStorage({ voters: ["n1"], learners: [] });
  assert.throws(
    () =>
      new Raft({ id: "n1", storage, electionTicks: 2, heartbeatTicks: 2, random: seededRandom(1) }),
    (error: unknown) => error instanceof RaftInvariantError && /electionTicks/.test(error.message),
  );
});

test("the core refuses to start from a stored commit beyond its log", () => {
  const storage = new MemoryStorage({ voters: ["n1"], learners: [] });
  storage.setHardState({ term: 1, vote: "", commit: 3 });
  assert.throws(
    () =>
      new Raft({
        id: "n1",
        storage,
        electionTicks: 10,
        heartbeatTicks: 1,
        random: seededRandom(1),
      }),
    (error: unknown) => error instanceof RaftInvariantError && /commit 3/.test(error.message),
  );
});

test.run();
