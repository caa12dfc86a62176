import { join } from "node:path";
import type { NodeConfig } from "../../shared/config.ts";
import type { Logger } from "../../shared/logger.ts";
import { DryRunDriver } from "./dry-run-driver.ts";
import { loadOrCreateServerKey } from "./server-key-file.ts";
import type { VpnDriver } from "./vpn-driver.ts";
import { WireGuardDriver } from "./wireguard-driver.ts";

/** Where this server's WireGuard private key lives (see server-key-file.ts). */
export function serverKeyFile(config: NodeConfig): string {
  return join(config.dataDir, "wireguard", `${config.wireguardInterface}.key`);
}

/**
 * The driver VPN_DRIVER names. Both keep the server's key pair under
 * DATA_DIR, so a restart does not change the key every config names.
 */
export async function createVpnDriver(config: NodeConfig, logger: Logger): Promise<VpnDriver> {
  const privateKeyFile = serverKeyFile(config);
  if (config.vpnDriver === "wireguard") {
    const driver = WireGuardDriver.create({
      interfaceName: config.wireguardInterface,
      listenPort: config.wireguardPort,
      mtu: config.wireguardMtu,
      allowClientToClient: config.allowClientToClient,
      blockedDestinations: config.blockedDestinations,
      privateKeyFile,
      logger,
    });
    if (!driver.ok) throw new Error(driver.error.message);
    return driver.value;
  }
  const keyPair = await loadOrCreateServerKey(privateKeyFile);
  if (!keyPair.ok) throw new Error(keyPair.error.message);
  return new DryRunDriver({
    keyPair: keyPair.value,
    listenPort: config.wireguardPort,
    mtu: config.wireguardMtu,
    allowClientToClient: config.allowClientToClient,
    blockedDestinations: config.blockedDestinations,
    logger,
  });
}
