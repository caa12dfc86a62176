/**
 * Benchmark options that must be counts or durations are positive whole
 * numbers; anything else stops the benchmark with exit code 2 and a message
 * naming the option and the value given.
 */
import { spawnSync } from "node:child_process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  EXIT_BAD_ARGUMENT,
  parsePositiveInteger,
  positiveInteger,
} from "../../../scripts/bench/cli-args.ts";

const tsxLoader = import.meta.resolve("tsx");
const modulePath = new URL("../../../scripts/bench/cli-args.ts", import.meta.url).href;

test("a positive whole number is accepted as its value", () => {
  assert.equal(parsePositiveInteger("users", "1"), { ok: true, value: 1 });
  assert.equal(parsePositiveInteger("users", "1000"), { ok: true, value: 1000 });
  assert.is(positiveInteger("users", "42"), 42);
});

test("zero, negatives, fractions, empty text and words are refused naming the option and value", () => {
  for (const text of ["0", "-3", "1.5", "", "ten", "NaN", "Infinity"]) {
    const parsed = parsePositiveInteger("heartbeat-ms", text);
    assert.equal(
      parsed,
      {
        ok: false,
        error: {
          code: "NOT_A_POSITIVE_INTEGER",
          message: `--heartbeat-ms must be a positive whole number, got ${text}`,
        },
      },
      text,
    );
  }
});

test("a refused option exits with code 2 and says why on stderr, running nothing after it", () => {
  const code = [
    `const { positiveInteger } = await import(${JSON.stringify(modulePath)});`,
    `positiveInteger("kills", "-1");`,
    `process.stdout.write("still running\\n");`,
  ].join("\n");
  const child = spawnSync(
    process.execPath,
    ["--import", tsxLoader, "--input-type=module", "--eval", code],
    { encoding: "utf8", timeout: 30_000 },
  );
  assert.is(child.status, EXIT_BAD_ARGUMENT, child.stderr);
  assert.is(child.status, 2);
  assert.is(child.stdout, "");
  assert.is(child.stderr, "--kills must be a positive whole number, got -1\n");
});

test.run();
