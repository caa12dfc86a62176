import { test } from "uvu";
import * as assert from "uvu/assert";
import { majorityCommittedIndex, majoritySize, voteOutcome } from "../../../cluster/raft/quorum.ts";

test("a majority is more than half of the voters", () => {
  const sizes = [1, 2, 3, 4, 5, 6, 7].map(majoritySize);
  assert.equal(sizes, [1, 2, 2, 3, 3, 4, 4]);
});

test("the committed index is the highest index a majority has reached", () => {
  assert.is(majorityCommittedIndex([5]), 5);
  assert.is(majorityCommittedIndex([5, 3]), 3);
  assert.is(majorityCommittedIndex([1, 5, 3]), 3);
  assert.is(majorityCommittedIndex([2, 2, 7, 7]), 2);
  assert.is(majorityCommittedIndex([4, 8, 1, 9, 6]), 6);
});

test("indexes are compared as numbers, not as strings", () => {
  // Sorted as text, "9" > "100" > "10" would make 100 look committed.
  assert.is(majorityCommittedIndex([10, 9, 100]), 10);
  assert.is(majorityCommittedIndex([1000, 200, 30]), 200);
});

test("an empty voter set commits nothing", () => {
  assert.is(majorityCommittedIndex([]), 0);
});

test("the input order of match indexes does not change the result", () => {
  const matches = [7, 3, 12, 3, 9];
  const expected = majorityCommittedIndex(matches);
  assert.is(expected, 7);
  assert.is(majorityCommittedIndex([...matches].reverse()), expected);
  assert.is(majorityCommittedIndex([12, 9, 7, 3, 3]), expected);
  assert.equal(matches, [7, 3, 12, 3, 9], "the caller's array is not reordered");
});

test("an election is won by a majority of grants, lost once a majority is out of reach", () => {
  const cases: Array<[voters: number, granted: number, rejected: number, outcome: string]> = [
    [1, 1, 0, "won"],
    [3, 1, 0, "pending"],
    [3, 2, 0, "won"],
    [3, 1, 1, "pending"],
    [3, 1, 2, "lost"],
    [4, 2, 0, "pending"],
    [4, 2, 2, "lost"],
    [4, 3, 1, "won"],
    [5, 1, 2, "pending"],
    [5, 2, 3, "lost"],
    [5, 3, 2, "won"],
  ];
  for (const [voters, granted, rejected, outcome] of cases) {
    assert.is(
      voteOutcome(voters, granted, rejected),
      outcome,
      `${voters} voters, ${granted} granted, ${rejected} rejected`,
    );
  }
});

test.run();
