/**
 * The real driver: makes this server's WireGuard interface match the
 * replicated state with the standard tools, `ip` and `wg`, and `wireguard-go`
 * where the kernel has no WireGuard module; lets its clients out to the
 * internet with `sysctl` (forwarding) and `nft` (NAT, client isolation).
 */

import { randomBytes } from "node:crypto";
import { rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { WireGuardKeyPair } from "../../shared/crypto/wireguard-keys.ts";
import type { Logger } from "../../shared/logger.ts";
import { err, ok, type Result } from "../../shared/result.ts";
import {
  isWireGuardMtu,
  MAX_WIREGUARD_MTU,
  MIN_WIREGUARD_MTU,
} from "../../shared/wireguard-mtu.ts";
import { parseDefaultRouteInterface } from "./default-route.ts";
import { clientSubnetOf, renderEgressRemoval, renderEgressRuleset } from "./egress-ruleset.ts";
import { renderInterfaceConfig } from "./interface-config.ts";
import { isInterfaceName } from "./interface-name.ts";
import { addressChanges, type LinkState, parseIpAddressShow } from "./ip-address-show.ts";
import {
  type CommandResult,
  type CommandRunner,
  type RunCommandOptions,
  runCommand,
} from "./run-command.ts";
import { loadOrCreateServerKey } from "./server-key-file.ts";
import type {
  DesiredInterface,
  PeerStatus,
  VpnDriver,
  VpnDriverError,
  VpnDriverResult,
} from "./vpn-driver.ts";
import { parseWgShowDump } from "./wg-show-dump.ts";

/** Which interface a {@link WireGuardDriver} manages, and how. */
export interface WireGuardDriverOptions {
  /** The interface to manage, e.g. `wg0`: 1-15 letters, digits or `_=+.-`. */
  interfaceName: string;
  /** UDP port clients connect to. */
  listenPort: number;
  /** The interface's MTU, the same as in every client config (see shared/wireguard-mtu.ts). */
  mtu: number;
  /** Whether clients may reach each other through the server; by default they may not. */
  allowClientToClient?: boolean;
  /** Networks clients may not reach through the server (`address/prefix`, BLOCKED_DESTINATIONS). */
  blockedDestinations: readonly string[];
  /** Where this server's private key lives; created with mode 0600 on first start. */
  privateKeyFile: string;
  /**
   * Run every tool inside this network namespace (`ip netns exec`), for
   * operators who isolate the VPN, and for tests.
   */
  networkNamespace?: string;
  /** Replaces the real tools; for tests. */
  runCommand?: CommandRunner;
  logger?: Logger;
}

/** Which tool a missing command belongs to, for the install hint. */
const packageOfTool: Record<string, string> = {
  wg: "wireguard-tools",
  ip: "iproute2",
  "wireguard-go": "wireguard-go",
  nft: "nftables",
  sysctl: "procps",
};

/** A failed command as a driver error; `tool` is the program that was run, e.g. `wg`. */
function commandFailure(
  result: Extract<CommandResult, { ok: false }>,
  tool: string,
): VpnDriverError {
  const { error } = result;
  if (error.code === "COMMAND_NOT_FOUND") {
    return {
      code: "VPN_TOOL_MISSING",
      message: `${tool} is not installed; install it with: apt-get install --no-install-recommends ${packageOfTool[tool] ?? tool}`,
      command: error.command,
    };
  }
  return {
    code: "VPN_COMMAND_FAILED",
    message: error.message,
    command: error.command,
    stderr: error.stderr,
  };
}

/**
 * Drives a WireGuard interface with `ip` and `wg`. The interface outlives the
 * node on purpose, kernel or `wireguard-go` alike (wireguard-go runs as its
 * own daemon): restarting or upgrading the node does not cut users off, and
 * the next {@link apply} adopts the interface as it finds it. The NAT rules
 * live in the node's own nftables table and go with {@link release}: a host
 * the node no longer manages does not keep routing for it.
 */
export class WireGuardDriver implements VpnDriver {
  readonly kind = "wireguard";
  private readonly run: CommandRunner;
  private keyPair: WireGuardKeyPair | undefined;

  private constructor(private readonly options: WireGuardDriverOptions) {
    this.run = options.runCommand ?? runCommand;
  }

  /** Checks the options (they end up as command arguments) and makes a driver. */
  static create(
    options: WireGuardDriverOptions,
  ): Result<WireGuardDriver, "INVALID_VPN_DRIVER_OPTIONS"> {
    if (!isInterfaceName(options.interfaceName)) {
      return err(
        "INVALID_VPN_DRIVER_OPTIONS",
        "interface name must be 1-15 letters, digits or _=+.- and not start with -, e.g. wg0",
      );
    }
    if (
      !Number.isInteger(options.listenPort) ||
      options.listenPort < 1 ||
      options.listenPort > 65535
    ) {
      return err("INVALID_VPN_DRIVER_OPTIONS", "listen port must be an integer 1-65535");
    }
    if (!isWireGuardMtu(options.mtu)) {
      return err(
        "INVALID_VPN_DRIVER_OPTIONS",
        `MTU must be an integer ${MIN_WIREGUARD_MTU}-${MAX_WIREGUARD_MTU}`,
      );
    }
    const namespace = options.networkNamespace;
    if (namespace !== undefined && !/^[A-Za-z0-9_.][A-Za-z0-9_.-]{0,63}$/.test(namespace)) {
      return err("INVALID_VPN_DRIVER_OPTIONS", "network namespace name is not valid");
    }
    return ok(new WireGuardDriver(options));
  }

  async serverPublicKey(): Promise<VpnDriverResult<string>> {
    const keyPair = await this.loadKeyPair();
    return keyPair.ok ? { ok: true, value: keyPair.value.publicKey } : keyPair;
  }

  async apply(desired: DesiredInterface): Promise<VpnDriverResult<void>> {
    const keyPair = await this.loadKeyPair();
    if (!keyPair.ok) return keyPair;
    const config = renderInterfaceConfig(
      keyPair.value.privateKey,
      this.options.listenPort,
      desired.peers,
    );
    if (!config.ok) return config;
    const clientSubnet = clientSubnetOf(desired.address);
    if (!clientSubnet.ok) return clientSubnet;
    const link = await this.ensureInterface();
    if (!link.ok) return link;
    const name = this.options.interfaceName;
    const synced = await this.syncConfig(config.value);
    if (!synced.ok) return synced;
    const { add, remove } = addressChanges(link.value.addresses, desired.address);
    for (const address of remove) {
      const removed = await this.tool("ip", ["address", "del", address, "dev", name]);
      if (!removed.ok) return removed;
    }
    for (const address of add) {
      const added = await this.tool("ip", ["address", "add", address, "dev", name]);
      if (!added.ok) return added;
    }
    const { mtu } = this.options;
    if (!link.value.up || link.value.mtu !== mtu) {
      const up = await this.tool("ip", ["link", "set", "dev", name, "mtu", String(mtu), "up"]);
      if (!up.ok) return up;
    }
    return this.applyEgress(clientSubnet.value);
  }

  async release(): Promise<VpnDriverResult<void>> {
    const removed = await this.tool("nft", ["-f", "-"], {
      stdin: renderEgressRemoval(this.options.interfaceName),
    });
    return removed.ok ? { ok: true, value: undefined } : removed;
  }

  async removeInterface(): Promise<VpnDriverResult<void>> {
    const link = await this.readLink();
    if (!link.ok) return link;
    if (link.value === null) return { ok: true, value: undefined };
    const removed = await this.tool("ip", ["link", "del", "dev", this.options.interfaceName]);
    return removed.ok ? { ok: true, value: undefined } : removed;
  }

  /**
   * Forwarding on, then the node's table loaded whole: clients masqueraded
   * out of the default route's interface (read again at every sync, so a
   * changed uplink is followed) and kept from reaching each other.
   */
  private async applyEgress(clientSubnet: string): Promise<VpnDriverResult<void>> {
    const forwarding = await this.tool("sysctl", ["-w", "net.ipv4.ip_forward=1"]);
    if (!forwarding.ok) return forwarding;
    const routes = await this.tool("ip", ["-j", "route", "show", "default"]);
    if (!routes.ok) return routes;
    const egressInterface = parseDefaultRouteInterface(routes.value);
    if (!egressInterface.ok) return egressInterface;
    const ruleset = renderEgressRuleset({
      wireguardInterface: this.options.interfaceName,
      clientSubnet,
      egressInterface: egressInterface.value,
      allowClientToClient: this.options.allowClientToClient ?? false,
      blockedDestinations: this.options.blockedDestinations,
    });
    if (!ruleset.ok) return ruleset;
    const loaded = await this.tool("nft", ["-f", "-"], { stdin: ruleset.value });
    return loaded.ok ? { ok: true, value: undefined } : loaded;
  }

  async readPeers(): Promise<VpnDriverResult<PeerStatus[]>> {
    const dump = await this.tool("wg", ["show", this.options.interfaceName, "dump"]);
    if (!dump.ok) return dump;
    const parsed = parseWgShowDump(dump.value);
    return parsed.ok ? { ok: true, value: parsed.value.peers } : parsed;
  }

  /**
   * Runs `wg syncconf` on a config file. The file holds the private key, so
   * it is created mode 0600 next to the key file (not in a shared temporary
   * directory) and removed at once. Not `/dev/stdin`: Node gives a child a
   * socket for stdin, which `wg` cannot open by that path.
   */
  private async syncConfig(text: string): Promise<VpnDriverResult<void>> {
    const name = this.options.interfaceName;
    const path = join(
      dirname(this.options.privateKeyFile),
      `.${name}.${randomBytes(6).toString("hex")}.syncconf`,
    );
    try {
      await writeFile(path, text, { mode: 0o600, flag: "wx" });
      const synced = await this.tool("wg", ["syncconf", name, path]);
      return synced.ok ? { ok: true, value: undefined } : synced;
    } catch (error) {
      return {
        ok: false,
        error: {
          code: "VPN_COMMAND_FAILED",
          message: `cannot write the config for wg syncconf to ${path}: ${error instanceof Error ? error.message : String(error)}`,
        },
      };
    } finally {
      await rm(path, { force: true });
    }
  }

  private async loadKeyPair(): Promise<VpnDriverResult<WireGuardKeyPair>> {
    if (this.keyPair) return { ok: true, value: this.keyPair };
    const loaded = await loadOrCreateServerKey(this.options.privateKeyFile);
    if (loaded.ok) this.keyPair = loaded.value;
    return loaded;
  }

  /** Reads the interface's state, creating the interface first if it does not exist. */
  private async ensureInterface(): Promise<VpnDriverResult<LinkState>> {
    const existing = await this.readLink();
    if (existing.ok && existing.value) return { ok: true, value: existing.value };
    if (!existing.ok) return existing;
    const name = this.options.interfaceName;
    const kernel = await this.tool("ip", ["link", "add", "dev", name, "type", "wireguard"]);
    if (!kernel.ok) {
      this.options.logger?.info(
        { interface: name, reason: kernel.error.stderr ?? kernel.error.message },
        "kernel WireGuard unavailable, starting wireguard-go",
      );
      // Without LOG_LEVEL, wireguard-go's daemon detaches from our pipes (this node has its own LOG_LEVEL).
      const userspace = await this.tool("wireguard-go", [name], {
        environment: { LOG_LEVEL: undefined },
      });
      if (!userspace.ok) return userspace;
    }
    const created = await this.readLink();
    if (!created.ok) return created;
    if (!created.value) {
      return {
        ok: false,
        error: {
          code: "VPN_COMMAND_FAILED",
          message: `interface ${name} still does not exist after creating it`,
        },
      };
    }
    return { ok: true, value: created.value };
  }

  /** The interface's link state, or null if there is no such interface. */
  private async readLink(): Promise<VpnDriverResult<LinkState | null>> {
    const name = this.options.interfaceName;
    const shown = await this.run(...this.inNamespace("ip", ["-j", "address", "show", "dev", name]));
    if (!shown.ok) {
      if (shown.error.code === "COMMAND_FAILED" && /does not exist/.test(shown.error.stderr)) {
        return { ok: true, value: null };
      }
      return { ok: false, error: commandFailure(shown, "ip") };
    }
    const parsed = parseIpAddressShow(shown.value.stdout);
    return parsed.ok ? { ok: true, value: parsed.value } : parsed;
  }

  /** Runs a tool (inside the namespace, if any); its stdout, or a driver error. */
  private async tool(
    file: string,
    args: string[],
    options: Pick<RunCommandOptions, "environment" | "stdin"> = {},
  ): Promise<VpnDriverResult<string>> {
    const [program, programArgs] = this.inNamespace(file, args);
    const result = await this.run(program, programArgs, options);
    // Inside a namespace a missing tool makes `ip netns exec` fail; only `ip` itself can be not found.
    return result.ok
      ? { ok: true, value: result.value.stdout }
      : { ok: false, error: commandFailure(result, program) };
  }

  private inNamespace(file: string, args: string[]): [string, string[]] {
    const namespace = this.options.networkNamespace;
    return namespace === undefined
      ? [file, args]
      : ["ip", ["netns", "exec", namespace, file, ...args]];
  }
}
