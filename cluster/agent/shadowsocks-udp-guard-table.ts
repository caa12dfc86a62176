/**
 * Loads and removes the UDP guard's nftables table (shadowsocks-udp-guard.ts)
 * for the ss-servers this node runs: loaded before ss-manager starts, so no
 * ss-server ever relays without it, and removed once they have all ended.
 */
import type { Logger } from "../../shared/logger.ts";
import type { CommandRunner } from "./run-command.ts";
import type { ShadowsocksDriverResult } from "./shadowsocks-driver.ts";
import {
  renderShadowsocksUdpGuard,
  renderShadowsocksUdpGuardRemoval,
} from "./shadowsocks-udp-guard.ts";

export interface ShadowsocksUdpGuardTableOptions {
  /** The user the ss-servers run as: this process's own. */
  ownerUid: number;
  blockedDestinations: readonly string[];
  /** The host's resolvers (readSystemResolvers), read at each load; undefined when unknown. */
  systemResolvers: () => Promise<readonly string[] | undefined>;
  run: CommandRunner;
  logger: Logger;
}

export class ShadowsocksUdpGuardTable {
  private loaded = false;

  constructor(private readonly options: ShadowsocksUdpGuardTableOptions) {}

  /**
   * Makes the table hold this guard. As root it loads nothing and says why
   * (the rule would hold every root process of the host); with no blocked
   * destination there is nothing to hold. A table that cannot be loaded is
   * SS_UDP_GUARD_FAILED: the ss-servers must not start without it.
   */
  async load(): Promise<ShadowsocksDriverResult<void>> {
    const { ownerUid, blockedDestinations, logger } = this.options;
    if (blockedDestinations.length === 0) return { ok: true, value: undefined };
    if (ownerUid === 0) {
      logger.warn(
        "the node runs as root: ss-server's UDP relay is not kept off BLOCKED_DESTINATIONS (the rule would hold every root process of the host); run the node as its own user, as scripts/install.sh does",
      );
      return { ok: true, value: undefined };
    }
    const resolvers = await this.options.systemResolvers();
    if (resolvers === undefined)
      logger.warn(
        "this host's resolvers are unknown (/etc/resolv.conf unreadable): ss-server's UDP relay may reach port 53 on every blocked network",
      );
    const ruleset = renderShadowsocksUdpGuard({ ownerUid, blockedDestinations, resolvers });
    if (!ruleset.ok)
      return { ok: false, error: { code: "SS_UDP_GUARD_FAILED", message: ruleset.error.message } };
    const result = await this.options.run("nft", ["-f", "-"], { stdin: ruleset.value });
    if (!result.ok) {
      const why =
        result.error.code === "COMMAND_NOT_FOUND"
          ? "nft is not installed (apt-get install nftables)"
          : result.error.message;
      return {
        ok: false,
        error: {
          code: "SS_UDP_GUARD_FAILED",
          message: `cannot load the nftables table that keeps ss-server's UDP relay off BLOCKED_DESTINATIONS: ${why}; the node needs nft and CAP_NET_ADMIN, as scripts/install.sh sets up`,
        },
      };
    }
    this.loaded = true;
    return { ok: true, value: undefined };
  }

  /** Removes the table if this node loaded it. */
  async remove(): Promise<void> {
    if (!this.loaded) return;
    const result = await this.options.run("nft", ["-f", "-"], {
      stdin: renderShadowsocksUdpGuardRemoval(),
    });
    if (result.ok) this.loaded = false;
    else
      this.options.logger.warn(
        { err: result.error.message },
        "could not remove the Shadowsocks UDP guard's nftables table",
      );
  }
}
