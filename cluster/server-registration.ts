import { Backoff } from "../shared/backoff.ts";
import type { Logger } from "../shared/logger.ts";
import type { OfferedProtocol } from "../shared/protocol-list.ts";
import type { ShadowsocksMethod } from "../shared/shadowsocks-method.ts";
import { sleep } from "../shared/sleep.ts";
import { CommandRefusedError, type ControlPlaneService } from "./control-plane-service.ts";
import type { CommandInputOf } from "./fsm/commands.ts";

export interface ServerRegistration {
  serverId: string;
  publicKey: string;
  listenPort: number;
  apiPort: number;
  /** Null: not known yet (it will be learned from the peers). */
  endpointHost: string | null;
  capacity: number;
  region: string;
  /** This node's identity signature over its WireGuard key (fsm/server-key-signature.ts). */
  identitySignature: string;
  /** The tunnel MTU and resolvers this server's client configs carry. */
  mtu: number;
  clientDns: string[];
  /** What this server offers, and its Shadowsocks ports and cipher when it offers Shadowsocks. */
  protocols: OfferedProtocol[];
  /** Whether this node holds BOT_TOKEN. */
  holdsBotToken: boolean;
  /** Whether this node holds DATA_KEYS. */
  holdsDataKeys: boolean;
  /** The ban-check probes this node's agent serves; the leader makes them. */
  probes: OfferedProtocol[];
  shadowsocks?: { firstPort: number; lastPort: number; method: ShadowsocksMethod };
}

/**
 * Registers this node's VPN server in the replicated state, retrying (with
 * back-off) until a leader accepts it. Re-registration at every start keeps
 * the server's subnet and updates keys, ports, capacity and region.
 * Resolves true once registered, false if the state refused it for good.
 */
export async function registerServer(
  service: ControlPlaneService,
  registration: ServerRegistration,
  logger: Logger,
  isStopped: () => boolean,
): Promise<boolean> {
  const backoff = new Backoff({ minDelayMs: 100, maxDelayMs: 2000 });
  while (!isStopped()) {
    const command: CommandInputOf<"registerServer"> = {
      type: "registerServer",
      ...registration,
      at: service.now(),
    };
    try {
      await service.run(command);
      logger.info(
        { serverId: registration.serverId, endpointHost: registration.endpointHost },
        "server registered",
      );
      return true;
    } catch (error) {
      if (error instanceof CommandRefusedError) {
        logger.error(
          { code: error.code },
          `the cluster refused to register this server: ${error.message}`,
        );
        return false;
      }
      // No leader yet, or one is being elected: try again shortly.
      await sleep(backoff.next());
    }
  }
  return false;
}
