/**
 * The unit tier's fence: a suite run under `npm run test:unit` cannot start a
 * process or open a socket, so a suite that needs them must say it is an
 * integration suite.
 */
import { spawnSync } from "node:child_process";
import { test } from "uvu";
import * as assert from "uvu/assert";

function underTheFence(code: string): string {
  const result = spawnSync(
    process.execPath,
    ["--import", "./test/support/unit-fence.mjs", "--input-type=module", "-e", code],
    { encoding: "utf8" },
  );
  return result.stdout + result.stderr;
}

test("a process started under the fence is refused, named imports included", () => {
  const output = underTheFence(
    'import { spawn } from "node:child_process"; try { spawn("true"); console.log("started"); } catch (e) { console.log(e.message); }',
  );
  assert.match(output, /a unit test may not start a process \(child_process\.spawn\)/);
  assert.not.match(output, /started/);
});

test("listening or connecting under the fence is refused", () => {
  const output = underTheFence(
    'import net from "node:net"; for (const act of [() => net.createServer().listen(0), () => net.connect(1, "127.0.0.1")]) { try { act(); console.log("opened"); } catch (e) { console.log(e.message); } }',
  );
  assert.match(output, /may not listen on a socket/);
  assert.match(output, /may not open a network connection/);
  assert.not.match(output, /opened/);
});

test.run();
