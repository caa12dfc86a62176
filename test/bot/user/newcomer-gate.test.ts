import { test } from "uvu";
import * as assert from "uvu/assert";
import { NewcomerGate } from "../../../bot/user/newcomer-gate.ts";

test("lets in up to the limit within a minute, then again as the minute slides", () => {
  const gate = new NewcomerGate();
  assert.ok(gate.admit(0, 2));
  assert.ok(gate.admit(10_000, 2));
  assert.not.ok(gate.admit(20_000, 2));
  assert.not.ok(gate.admit(59_999, 2));
  assert.ok(gate.admit(60_000, 2), "the first admission left the window");
  assert.not.ok(gate.admit(60_001, 2));
  assert.ok(gate.admit(70_000, 2));
});

test("a limit of 0 lets nobody new in", () => {
  assert.not.ok(new NewcomerGate().admit(0, 0));
});

test.run();
