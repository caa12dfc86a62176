/**
 * The leader makes each server's ban-check probes (a leader task, see
 * leadership-runner.ts): for a server whose node registered that its agent
 * serves them, a WireGuard probe peer (probe-peer.ts) and a Shadowsocks
 * probe port (shadowsocks-probe-port.ts), their secrets sealed under the
 * data keys. A server's node needs no data key for this: it adds the probe
 * peer by its public key and opens the probe port's password with its own
 * WireGuard key, so a node that may never lead runs without DATA_KEYS.
 */
import type { Logger } from "../shared/logger.ts";
import type { ControlPlaneService } from "./control-plane-service.ts";
import type { Server } from "./fsm/records.ts";
import { type LeaderTask, passEachInterval } from "./leadership-runner.ts";
import { ensureProbePeer } from "./probe-peer.ts";
import type { SealedSecrets } from "./sealed-secrets.ts";
import { ensureShadowsocksProbe } from "./shadowsocks-probe-port.ts";

export interface ProbeCustodyOptions {
  service: ControlPlaneService;
  sealing: SealedSecrets;
  intervalMs: number;
  logger: Logger;
}

/** The probes `server` waits for: those its node serves and it has none of yet. */
export function missingProbes(
  server: Pick<Server, "probes" | "probePeer" | "shadowsocks" | "shadowsocksProbe">,
): Array<"wireguard" | "shadowsocks"> {
  const probes = server.probes ?? [];
  const missing: Array<"wireguard" | "shadowsocks"> = [];
  if (probes.includes("wireguard") && !server.probePeer) missing.push("wireguard");
  if (probes.includes("shadowsocks") && server.shadowsocks && !server.shadowsocksProbe)
    missing.push("shadowsocks");
  return missing;
}

export class ProbeCustodyTask implements LeaderTask {
  readonly name = "ban-check probe custody";

  constructor(private readonly options: ProbeCustodyOptions) {}

  runTerm(signal: AbortSignal): Promise<void> {
    const failure = "making a server's ban-check probe failed; retrying";
    return passEachInterval(signal, { ...this.options, failure }, () => this.makeMissing(signal));
  }

  private async makeMissing(signal: AbortSignal): Promise<void> {
    const { service, sealing, logger } = this.options;
    for (const server of service.localState.servers()) {
      for (const probe of missingProbes(server)) {
        if (signal.aborted) return;
        if (probe === "wireguard") await ensureProbePeer(service, sealing, server.id);
        else await ensureShadowsocksProbe(service, sealing, server.id);
        logger.info({ serverId: server.id, probe }, "made a ban-check probe for a server");
      }
    }
  }
}
