import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { controlPlaneCommandSchema } from "../../../cluster/fsm/commands.ts";
import { commandArbitrary } from "../../../scripts/simulation/command-arbitrary.ts";

const commands = fc.sample(commandArbitrary, { seed: 1, numRuns: 4000 });
const commandTypes = controlPlaneCommandSchema.options.map((option) => option.shape.type.value);

test("the random commands include every command the control plane accepts", () => {
  const drawn = new Set(commands.map((command) => command.type));
  assert.equal(
    commandTypes.filter((type) => !drawn.has(type)),
    [],
    "command types never drawn",
  );
});

test("a random command breaks the schema only where it is drawn invalid on purpose", () => {
  const invalid = new Set(
    commands
      .filter((command) => !controlPlaneCommandSchema.safeParse(command).success)
      .map((command) => command.type),
  );
  // A quota finer than a megabyte, and a subscription token digest that is not one.
  assert.equal([...invalid].sort(), ["issueSubscription", "setUserQuota"]);
});

test("frequent commands are drawn more often than admins' rare ones", () => {
  const count = (type: string) => commands.filter((command) => command.type === type).length;
  assert.ok(count("issueConfig") > 3 * count("removeMember"));
  assert.ok(count("recordVerdict") > 2 * count("setBackupPassphrase"));
});

test.run();
