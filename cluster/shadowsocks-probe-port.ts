/**
 * The Shadowsocks port ban checks request through (see
 * `ShadowsocksProbe` in fsm/records.ts). The leader makes one for each
 * server whose node serves Shadowsocks with ss-manager
 * (probe-custody-task.ts): a fresh random password,
 * sealed under the data keys so whichever node leads can open it and probe,
 * and sealed to its own WireGuard key for its agent, which serves the port
 * like a config's. Apply picks the port from the server's range.
 */
import { randomBytes } from "node:crypto";
import { sealToWireGuardKey } from "../shared/crypto/wireguard-sealed-box.ts";
import { err, ok, type Result } from "../shared/result.ts";
import { isShadowsocksMethod, type ShadowsocksMethod } from "../shared/shadowsocks-method.ts";
import type { ControlPlaneService } from "./control-plane-service.ts";
import { type Server, SHADOWSOCKS_PROBE_CONTEXT } from "./fsm/records.ts";
import type { SealedSecrets } from "./sealed-secrets.ts";

/** Registers a Shadowsocks probe port for `serverId` unless it has one or offers no Shadowsocks; resolves true once settled. */
export async function ensureShadowsocksProbe(
  service: ControlPlaneService,
  sealing: SealedSecrets,
  serverId: string,
): Promise<boolean> {
  const state = await service.read();
  const server = state.server(serverId);
  if (!server) return false;
  if (!server.shadowsocks || server.shadowsocksProbe) return true;
  // The same strength as a config's password: 32 random bytes.
  const password = randomBytes(32).toString("base64");
  await service.run({
    type: "setShadowsocksProbe",
    serverId,
    passwordSealed: sealing.seal("serverShadowsocksProbe", serverId, password),
    passwordSealedToServer: sealToWireGuardKey(
      server.publicKey,
      SHADOWSOCKS_PROBE_CONTEXT,
      password,
    ),
    at: service.now(),
  });
  return true;
}

/** The probe port of `server` with its password opened; undefined when it has none. */
export function openShadowsocksProbe(
  sealing: SealedSecrets,
  server: Pick<Server, "id" | "shadowsocksProbe">,
):
  | Result<
      { port: number; method: ShadowsocksMethod; password: string },
      "SHADOWSOCKS_PROBE_UNREADABLE"
    >
  | undefined {
  const probe = server.shadowsocksProbe;
  if (!probe) return undefined;
  const opened = sealing.open("serverShadowsocksProbe", server.id, probe.passwordSealed);
  if (!opened.ok || !isShadowsocksMethod(probe.method))
    return err(
      "SHADOWSOCKS_PROBE_UNREADABLE",
      `the Shadowsocks probe password of server ${server.id} cannot be opened: does every node hold the data key it names in DATA_KEYS?`,
    );
  return ok({ port: probe.port, method: probe.method, password: opened.value });
}
