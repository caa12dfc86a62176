import { test } from "uvu";
import * as assert from "uvu/assert";
import { runFigure8Scenario } from "./figure8.ts";

test("Figure 8: with the current-term commit rule nothing committed is ever overwritten", async () => {
  const result = await runFigure8Scenario();
  assert.ok(result.ok, result.violation);
});

test("Figure 8: committing an old-term entry by counting is caught by the safety checks", async () => {
  const result = await runFigure8Scenario("commit-old-term-by-counting");
  assert.not.ok(result.ok);
  assert.match(
    result.violation ?? "",
    /leader completeness|state machine safety|conflicts with committed/,
  );
});

test.run();
