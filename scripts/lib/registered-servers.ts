import type { Cluster } from "./cluster-harness.ts";
import { ControlPlaneClient } from "./control-plane-client.ts";

/**
 * Waits until `count` servers have registered with their public endpoints, so
 * configs can be placed on them; asks whichever running node answers.
 */
export async function waitForRegisteredServers(
  cluster: Cluster,
  count: number,
  timeoutMs: number,
): Promise<void> {
  await cluster.waitUntil(
    async () => {
      for (const node of cluster.nodes.filter((candidate) => candidate.running)) {
        const client = new ControlPlaneClient(node.url, cluster.adminApiToken, { timeoutMs: 5000 });
        const servers = await client.servers();
        if (servers.ok)
          return (
            servers.value.length === count &&
            servers.value.every((server) => server.endpointHost !== null)
          );
      }
      return false;
    },
    timeoutMs,
    "every server to register its endpoint",
  );
}
