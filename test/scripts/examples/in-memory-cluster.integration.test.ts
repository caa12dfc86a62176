import { execFileSync } from "node:child_process";
import { test } from "uvu";
import * as assert from "uvu/assert";

test("the README's in-memory example elects a leader and applies both proposals on every node", () => {
  const output = execFileSync(
    process.execPath,
    ["--import", "tsx", "scripts/examples/in-memory-cluster.ts"],
    {
      encoding: "utf8",
      timeout: 30_000,
    },
  );
  assert.match(output, /leader: n1/);
  assert.match(output, /status: 'forwarded', leaderId: 'n1'/);
  for (const id of ["n1", "n2", "n3"])
    assert.match(output, new RegExp(`${id} applied \\[ 'world', 'hello' \\]`));
});

test.run();
