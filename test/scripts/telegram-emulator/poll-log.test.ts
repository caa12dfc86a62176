import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  findOverlappingPolls,
  PollLog,
  type PollRecord,
} from "../../../scripts/telegram-emulator/poll-log.ts";

function poll(id: number, startedAt: number, endedAt: number | null): PollRecord {
  return {
    id,
    token: "t",
    startedAt,
    endedAt,
    offset: null,
    limit: 100,
    timeout: 30,
    outcome: endedAt === null ? null : "empty",
    updateIds: [],
  };
}

test("polls one after another do not overlap", () => {
  assert.equal(findOverlappingPolls([poll(1, 0, 10), poll(2, 10.5, 20), poll(3, 21, 30)]), []);
});

test("a poll that starts at the instant another ends overlaps it: that is how a 409 looks", () => {
  const overlaps = findOverlappingPolls([poll(1, 0, 10), poll(2, 10, 20)]);
  assert.equal(
    overlaps.map((overlap) => [overlap.first.id, overlap.second.id]),
    [[1, 2]],
  );
});

test("a still-waiting poll overlaps every later one; pairs come in start order", () => {
  const overlaps = findOverlappingPolls([poll(3, 50, 60), poll(1, 0, null), poll(2, 5, 8)]);
  assert.equal(
    overlaps.map((overlap) => [overlap.first.id, overlap.second.id]),
    [
      [1, 2],
      [1, 3],
    ],
  );
});

test("the log numbers polls from 1 and hands out copies", () => {
  const log = new PollLog();
  const record = log.start({ token: "t", startedAt: 1, offset: 5, limit: 1, timeout: 0 });
  log.finish(record, "updates", 2, [5]);
  const [copy] = log.all();
  assert.equal(copy, { ...record, id: 1, endedAt: 2, outcome: "updates", updateIds: [5] });
  copy!.updateIds.push(99);
  assert.equal(log.all()[0]?.updateIds, [5]);
});

test.run();
