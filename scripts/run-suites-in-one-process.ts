/**
 * Runs the uvu suites named on the command line in this one process, with
 * one summary at the end: how `npm run test:unit` runs the unit tier, whose
 * suites share nothing (no process, no socket), in seconds rather than a
 * process start per suite.
 */
import { resolve } from "node:path";
import { run } from "uvu/run";

await run(
  process.argv.slice(2).map((file) => ({ name: file, file: resolve(file) })),
  { bail: false },
);
