/**
 * Loads and removes the UDP guard's nftables table (shadowsocks-udp-guard.ts)
 * for the ss-servers this node runs: loaded before ss-manager starts, so no
 * ss-server ever relays without it, and removed once they have all ended.
 * While loaded it follows the host's resolvers: a DHCP lease or an operator
 * may change /etc/resolv.conf, and a resolver the table does not know would
 * be cut off from this node (and from ss-server) on a blocked network.
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
  /** The host's resolvers (readSystemResolvers); undefined when unknown. */
  systemResolvers: () => Promise<readonly string[] | undefined>;
  run: CommandRunner;
  logger: Logger;
  /** How often a loaded table reads the resolvers again. Default 30 000. */
  resolverCheckMs?: number;
}

const DEFAULT_RESOLVER_CHECK_MS = 30_000;

/** The resolvers as one comparable value; undefined (unknown) differs from every list. */
function resolversKey(resolvers: readonly string[] | undefined): string {
  return resolvers === undefined ? "unknown" : JSON.stringify(resolvers);
}

export class ShadowsocksUdpGuardTable {
  /** The resolvers of the table in the kernel, as resolversKey; undefined while none is loaded. */
  private loadedFor: string | undefined;
  private resolverCheck: NodeJS.Timeout | undefined;
  /** The resolver check in progress, if any: load and remove wait for it. */
  private checking: Promise<void> = Promise.resolve();

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
    await this.checking;
    const resolvers = await this.options.systemResolvers();
    const loaded = await this.loadFor(resolvers);
    if (!loaded.ok) return loaded;
    this.resolverCheck ??= setInterval(() => {
      // Never a rejected chain: load and remove wait for it.
      this.checking = this.checking
        .then(() => this.followResolvers())
        .catch((error: unknown) =>
          this.options.logger.warn({ err: error }, "the resolver check of the UDP guard failed"),
        );
    }, this.options.resolverCheckMs ?? DEFAULT_RESOLVER_CHECK_MS);
    this.resolverCheck.unref();
    return loaded;
  }

  /** Removes the table if this node loaded it. */
  async remove(): Promise<void> {
    clearInterval(this.resolverCheck);
    this.resolverCheck = undefined;
    await this.checking;
    if (this.loadedFor === undefined) return;
    const result = await this.options.run("nft", ["-f", "-"], {
      stdin: renderShadowsocksUdpGuardRemoval(),
    });
    if (result.ok) this.loadedFor = undefined;
    else
      this.options.logger.warn(
        { err: result.error.message },
        "could not remove the Shadowsocks UDP guard's nftables table",
      );
  }

  private async loadFor(
    resolvers: readonly string[] | undefined,
  ): Promise<ShadowsocksDriverResult<void>> {
    const { ownerUid, blockedDestinations, logger } = this.options;
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
    this.loadedFor = resolversKey(resolvers);
    return { ok: true, value: undefined };
  }

  /** Loads the table again when the host's resolvers changed; the old table stays if that fails. */
  private async followResolvers(): Promise<void> {
    if (this.loadedFor === undefined || this.resolverCheck === undefined) return;
    const resolvers = await this.options.systemResolvers();
    if (resolversKey(resolvers) === this.loadedFor) return;
    const loaded = await this.loadFor(resolvers);
    if (loaded.ok)
      this.options.logger.info(
        { resolvers: resolvers ?? "unknown" },
        "this host's resolvers changed: the Shadowsocks UDP guard follows them",
      );
    else
      this.options.logger.warn(
        { err: loaded.error.message },
        "this host's resolvers changed, and the Shadowsocks UDP guard could not follow them",
      );
  }
}
