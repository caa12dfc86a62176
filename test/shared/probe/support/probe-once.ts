/**
 * Runs one probe and prints its outcome as JSON, so a test can probe from
 * inside a network namespace:
 * `ip netns exec <ns> node --import tsx probe-once.ts '{"target":…,"timeoutMs":…}'`.
 */
import { runProbe } from "../../../../shared/probe/run-probe.ts";

const request = JSON.parse(process.argv[2] ?? "{}");
const outcome = await runProbe(request.target, { timeoutMs: request.timeoutMs });
process.stdout.write(`${JSON.stringify(outcome)}\n`);
