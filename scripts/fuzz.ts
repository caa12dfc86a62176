/**
 * `npm run fuzz -- --seconds N`: feeds every parser that meets untrusted
 * bytes (scripts/fuzz/fuzz-targets.ts) generated and mutated inputs for N
 * seconds each and prints executions per second and crashes per target.
 * Exits 1 if any target broke, printing the inputs that broke it.
 *
 * Options: --seconds 10  --target <part of a name>  --seed <n> (default: random)
 */
import { parseArgs } from "node:util";
import { fuzzTargets } from "./fuzz/fuzz-targets.ts";
import { runFuzzTarget } from "./fuzz/run-fuzz-target.ts";

const { values: args } = parseArgs({
  options: {
    seconds: { type: "string", default: "10" },
    target: { type: "string" },
    seed: { type: "string" },
  },
});

const seconds = Number(args.seconds);
if (!Number.isFinite(seconds) || seconds <= 0) {
  process.stderr.write(`--seconds must be a positive number, got ${args.seconds}\n`);
  process.exit(2);
}
const seed = args.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(args.seed);
const chosen = fuzzTargets.filter((target) => !args.target || target.name.includes(args.target));
if (chosen.length === 0) {
  process.stderr.write(`no target matches ${args.target}\n`);
  process.exit(2);
}
process.stdout.write(`seed ${seed}, ${seconds} s per target\n\n`);
let broken = 0;
const rows: string[] = [];
for (const target of chosen) {
  const run = await runFuzzTarget(target, { milliseconds: seconds * 1000, seed });
  rows.push(
    `${run.name.padEnd(36)} ${String(run.executions).padStart(10)} ${Math.round(
      run.executions / run.seconds,
    )
      .toString()
      .padStart(10)} ${String(run.crashes.length).padStart(8)}`,
  );
  if (run.crashes.length > 0) {
    broken++;
    for (const crash of run.crashes)
      process.stderr.write(`${run.name}: ${JSON.stringify(crash.input)}\n${crash.error}\n\n`);
  }
}
process.stdout.write(
  `${"target".padEnd(36)} ${"execs".padStart(10)} ${"execs/s".padStart(10)} ${"crashes".padStart(8)}\n`,
);
process.stdout.write(`${"-".repeat(36)} ${"-".repeat(10)} ${"-".repeat(10)} ${"-".repeat(8)}\n`);
process.stdout.write(`${rows.join("\n")}\n`);
process.exit(broken > 0 ? 1 : 0);
