/**
 * The WireGuard peer ban checks handshake as. The leader makes one for each
 * server whose node runs real WireGuard (probe-custody-task.ts): a fresh key
 * pair whose private half is sealed in the replicated state, so whichever
 * node leads can open it and probe, while the server adds it by its public
 * key alone. Its allowed IP is the one address every subnet keeps for it, so
 * it carries no traffic.
 */
import { generateKeyPair } from "../shared/crypto/wireguard-keys.ts";
import { err, ok, type Result } from "../shared/result.ts";
import type { ControlPlaneService } from "./control-plane-service.ts";
import type { Server } from "./fsm/records.ts";
import type { SealedSecrets } from "./sealed-secrets.ts";

/** Registers a probe peer for `serverId` unless it has one; resolves true once it has. */
export async function ensureProbePeer(
  service: ControlPlaneService,
  sealing: SealedSecrets,
  serverId: string,
): Promise<boolean> {
  const state = await service.read();
  const server = state.server(serverId);
  if (!server) return false;
  if (server.probePeer) return true;
  const keys = generateKeyPair();
  await service.run({
    type: "setProbePeer",
    serverId,
    publicKey: keys.publicKey,
    privateKeyEncrypted: sealing.seal("serverProbeKey", serverId, keys.privateKey),
    at: service.now(),
  });
  return true;
}

/** The probe peer's private key of `server`, opened; an error when it has none or it cannot be opened. */
export function openProbeKey(
  sealing: SealedSecrets,
  server: Pick<Server, "id" | "probePeer">,
): Result<string, "NO_PROBE_PEER" | "PROBE_KEY_UNREADABLE"> {
  if (!server.probePeer)
    return err("NO_PROBE_PEER", `server ${server.id} has no WireGuard probe peer`);
  const opened = sealing.open("serverProbeKey", server.id, server.probePeer.privateKeyEncrypted);
  if (!opened.ok)
    return err(
      "PROBE_KEY_UNREADABLE",
      `the probe key of server ${server.id} cannot be opened (${opened.error.code}): does every node hold the data key it names in DATA_KEYS?`,
    );
  return ok(opened.value);
}
