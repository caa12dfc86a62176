/**
 * What the Shadowsocks agent needs from this server's Shadowsocks service,
 * whatever drives it: ss-manager (shadowsocks-libev), or a dry run that only
 * records what it would do. Ports are added and removed one at a time, so
 * changing one never restarts the others.
 */
import type { ErrorValue } from "../../shared/result.ts";
import type { ManagedPort, PortTraffic } from "./ss-manager-protocol.ts";

export type { ManagedPort, PortTraffic } from "./ss-manager-protocol.ts";

/** Why a driver could not do what it was asked. */
export type ShadowsocksDriverErrorCode =
  /** ss-manager or ss-server is not installed (shadowsocks-libev). */
  | "SS_TOOL_MISSING"
  /** ss-manager did not start, died, or did not answer in time. */
  | "SS_MANAGER_UNREACHABLE"
  /** ss-manager refused a command (e.g. the port is taken by another program). */
  | "SS_MANAGER_REFUSED"
  /** ss-manager answered something this driver cannot read. */
  | "SS_MANAGER_ANSWER_UNREADABLE"
  /** The nftables table that keeps ss-server's UDP relay off the blocked destinations could not be loaded. */
  | "SS_UDP_GUARD_FAILED";

export type ShadowsocksDriverError = ErrorValue<ShadowsocksDriverErrorCode>;

/** What every driver method resolves with; drivers never throw. */
export type ShadowsocksDriverResult<Value> =
  | { ok: true; value: Value }
  | { ok: false; error: ShadowsocksDriverError };

export interface ShadowsocksDriver {
  /** `ss-manager` or `dry-run`, as in SS_DRIVER. */
  readonly kind: "ss-manager" | "dry-run";
  /**
   * Makes the service ready for commands, from nothing: what a crashed run
   * left behind is cleared first, so every port is then added afresh.
   * Idempotent while it runs.
   */
  start(): Promise<ShadowsocksDriverResult<void>>;
  /** The ports served now, by port. */
  listPorts(): Promise<ShadowsocksDriverResult<ManagedPort[]>>;
  /** Starts serving one more port; the others are untouched. */
  addPort(port: ManagedPort): Promise<ShadowsocksDriverResult<void>>;
  /** Stops serving one port, closing its connections; the others are untouched. */
  removePort(port: number): Promise<ShadowsocksDriverResult<void>>;
  /** Bytes each port relayed (both directions) since it was added, by port. */
  readTraffic(): Promise<ShadowsocksDriverResult<PortTraffic[]>>;
  /** Stops the service and every port with it. Idempotent. */
  stop(): Promise<void>;
}
