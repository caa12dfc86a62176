import { test } from "uvu";
import * as assert from "uvu/assert";
import { runCommand } from "../../../cluster/agent/run-command.ts";

const node = process.execPath;

test("stdout and stderr come back, and stdin reaches the command", async () => {
  const result = await runCommand(
    node,
    ["-e", "process.stdin.pipe(process.stdout); process.stderr.write('note')"],
    { stdin: "secret key\n" },
  );
  assert.equal(result, { ok: true, value: { stdout: "secret key\n", stderr: "note" } });
});

test("a command that reads stdin gets end-of-file when there is none", async () => {
  const result = await runCommand(
    node,
    ["-e", "process.stdin.resume(); process.stdin.on('end', () => console.log('eof'))"],
    {
      timeoutMs: 5_000,
    },
  );
  assert.equal(result, { ok: true, value: { stdout: "eof\n", stderr: "" } });
});

test("arguments are passed as is, never through a shell", async () => {
  const tricky = "$(touch /tmp/should-not-exist); echo hi > /tmp/nope";
  const result = await runCommand(node, ["-e", "console.log(process.argv[1])", tricky]);
  assert.equal(result, { ok: true, value: { stdout: `${tricky}\n`, stderr: "" } });
});

test("a failing command gives its exit code, stderr and command line", async () => {
  const result = await runCommand(node, [
    "-e",
    "console.error('Device \"wg9\" does not exist.'); process.exit(3)",
  ]);
  assert.ok(!result.ok);
  assert.is(result.error.code, "COMMAND_FAILED");
  assert.is(result.error.exitCode, 3);
  assert.is(result.error.stderr, 'Device "wg9" does not exist.');
  assert.ok(result.error.command.startsWith(`${node} -e`));
  assert.match(result.error.message, /exit 3.*does not exist/);
});

test("a missing program is reported as not installed", async () => {
  const result = await runCommand("nexaloak-no-such-tool", ["--version"]);
  assert.ok(!result.ok);
  assert.is(result.error.code, "COMMAND_NOT_FOUND");
  assert.match(result.error.message, /not installed/);
});

test("a command that runs too long is killed and reported", async () => {
  const startedAt = Date.now();
  const result = await runCommand(node, ["-e", "setTimeout(() => {}, 60_000)"], { timeoutMs: 300 });
  assert.ok(!result.ok);
  assert.is(result.error.code, "COMMAND_TIMED_OUT");
  assert.ok(Date.now() - startedAt < 5_000);
});

test("the environment can be changed per command; the locale is always C", async () => {
  process.env.NEXALOAK_RUN_COMMAND_TEST = "inherited";
  const script =
    "console.log([process.env.NEXALOAK_RUN_COMMAND_TEST ?? 'unset', process.env.EXTRA, process.env.LC_ALL].join(','))";
  const inherited = await runCommand(node, ["-e", script], { environment: { EXTRA: "x" } });
  assert.equal(inherited, { ok: true, value: { stdout: "inherited,x,C\n", stderr: "" } });
  const removed = await runCommand(node, ["-e", script], {
    environment: { NEXALOAK_RUN_COMMAND_TEST: undefined, EXTRA: "y" },
  });
  assert.equal(removed, { ok: true, value: { stdout: "unset,y,C\n", stderr: "" } });
  delete process.env.NEXALOAK_RUN_COMMAND_TEST;
});

test.run();
