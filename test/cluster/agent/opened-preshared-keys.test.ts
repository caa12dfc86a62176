import { test } from "uvu";
import * as assert from "uvu/assert";
import { OpenedPresharedKeys } from "../../../cluster/agent/opened-preshared-keys.ts";
import { ok } from "../../../shared/result.ts";

function counting() {
  const calls: string[] = [];
  const keys = new OpenedPresharedKeys((sealed, peer) => {
    calls.push(`${peer}:${sealed}`);
    return ok(`opened-${sealed}`);
  });
  return { keys, calls };
}

test("a key opened at one sync is recalled at the next without opening it again", () => {
  const { keys, calls } = counting();
  assert.equal(keys.lookup("s1", "p1"), ok("opened-s1"));
  keys.endRound();
  assert.equal(keys.lookup("s1", "p1"), ok("opened-s1"));
  keys.endRound();
  assert.equal(calls, ["p1:s1"]);
});

test("a peer's new sealed key is opened; keys of peers gone are forgotten", () => {
  const { keys, calls } = counting();
  keys.lookup("s1", "p1");
  keys.lookup("s2", "p2");
  keys.endRound();
  keys.lookup("s1b", "p1");
  keys.endRound();
  keys.lookup("s2", "p2");
  keys.endRound();
  assert.equal(calls, ["p1:s1", "p2:s2", "p1:s1b", "p2:s2"]);
});

test.run();
