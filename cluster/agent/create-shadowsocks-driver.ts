import { join } from "node:path";
import type { NodeConfig } from "../../shared/config.ts";
import type { Logger } from "../../shared/logger.ts";
import { DryRunShadowsocksDriver } from "./dry-run-shadowsocks-driver.ts";
import type { ShadowsocksDriver } from "./shadowsocks-driver.ts";
import { SsManagerDriver } from "./ss-manager-driver.ts";

/** Where ss-manager's socket and working files live: DATA_DIR/shadowsocks. */
export function shadowsocksWorkDir(config: NodeConfig): string {
  return join(config.dataDir, "shadowsocks");
}

/** The driver SS_DRIVER names; undefined when this server does not offer Shadowsocks. */
export function createShadowsocksDriver(
  config: NodeConfig,
  logger: Logger,
): ShadowsocksDriver | undefined {
  const settings = config.shadowsocks;
  if (!settings) return undefined;
  if (settings.driver === "dry-run") return new DryRunShadowsocksDriver(logger);
  return new SsManagerDriver({
    workDir: shadowsocksWorkDir(config),
    listenHost: settings.listenHost,
    blockedDestinations: config.blockedDestinations,
    defaultMethod: settings.method,
    logger,
  });
}
