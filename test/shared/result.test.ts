import { test } from "uvu";
import * as assert from "uvu/assert";
import { err, ok } from "../../shared/result.ts";

test("ok wraps a value", () => {
  assert.equal(ok(42), { ok: true, value: 42 });
});

test("err carries a stable code and a human message", () => {
  const failure = err("NOT_LEADER", "not leader (leader is n2)");
  assert.is(failure.ok, false);
  assert.is(failure.error.code, "NOT_LEADER");
  assert.match(failure.error.message, /leader is n2/);
});

test.run();
