import { createHash } from "node:crypto";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { z } from "zod";
import { controlPlaneCommandSchema } from "../../../cluster/fsm/commands.ts";
import { STATE_VERSION } from "../../../cluster/fsm/state-version.ts";

/**
 * The shapes of the commands each state version applies, as a digest of
 * their JSON Schema. Checks that zod cannot put into a JSON Schema (a
 * refine) are not in it: a change to one needs a new version all the same.
 */
const COMMAND_SHAPES_BY_VERSION: Record<number, string> = {
  1: "c62db877b66438ab54588eed13fc376655f26f0f747eaee39cc956bf3788236b",
};

function commandShapesDigest(): string {
  const schema = z.toJSONSchema(controlPlaneCommandSchema, { unrepresentable: "any" });
  return createHash("sha256").update(JSON.stringify(schema)).digest("hex");
}

test("the commands have the shapes their state version names: changing them takes a new STATE_VERSION", () => {
  assert.is(
    commandShapesDigest(),
    COMMAND_SHAPES_BY_VERSION[STATE_VERSION],
    "the commands' shapes changed: raise STATE_VERSION (cluster/fsm/state-version.ts), record the new digest here, and say in the README what an upgrade across it takes",
  );
});

test.run();
