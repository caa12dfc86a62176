/** Probes from inside a test network's namespace, through a Node process started there. */
import { fileURLToPath } from "node:url";
import {
  type ProbeOutcome,
  type ProbeTarget,
  probeOutcomeSchema,
} from "../../../../shared/probe/probe-request.ts";
import type { TestNetwork } from "../../../support/network-namespace.ts";

const tsxLoader = import.meta.resolve("tsx");
const probeScript = fileURLToPath(new URL("./probe-once.ts", import.meta.url));

/** What `runProbe(target, {timeoutMs})` resolves with when run inside `namespace`. */
export async function probeInNamespace(
  network: TestNetwork,
  namespace: string,
  target: ProbeTarget,
  timeoutMs: number,
): Promise<ProbeOutcome> {
  const printed = await network.exec(namespace, process.execPath, [
    "--import",
    tsxLoader,
    probeScript,
    JSON.stringify({ target, timeoutMs }),
  ]);
  return probeOutcomeSchema.parse(JSON.parse(printed));
}
