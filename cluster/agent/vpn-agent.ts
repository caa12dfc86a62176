/**
 * The loop each node runs to drive its own VPN server from the replicated
 * state: sync the interface shortly after the state changes, read the
 * interface's peers periodically, repair drift, and report load back.
 */

import type { Logger } from "../../shared/logger.ts";
import { desiredPeersFrom, type OpenPresharedKey, type ReplicatedPeer } from "./desired-peers.ts";
import { OpenedPresharedKeys } from "./opened-preshared-keys.ts";
import { diffPeers, isEmptyDiff } from "./peer-diff.ts";
import { SerialTasks } from "./serial-tasks.ts";
import { aggregateLoad, type MeasuredLoad, sameLoad } from "./server-load.ts";
import type { InterfacePeer, PeerStatus, VpnDriver, VpnDriverError } from "./vpn-driver.ts";

/** This server's part of the replicated state. */
export interface AgentDesiredState {
  /** The server's tunnel address with its subnet's prefix length, e.g. `10.64.0.1/24`. */
  interfaceAddress: string;
  /** Every peer this server must have: its live configs (and the ban-check probe peer). */
  peers: readonly ReplicatedPeer[];
}

/** What a {@link VpnAgent} drives, reads and reports to, and how often. */
export interface VpnAgentOptions {
  driver: VpnDriver;
  /** This node's server id; named in every log line. */
  serverId: string;
  /**
   * This server's part of the applied state, or null while the server is not
   * registered yet (nothing is synced until it is). Called on every sync and
   * drift check, so it should read the state machine directly.
   */
  readDesiredState: () => AgentDesiredState | null;
  /** Opens a preshared key sealed to this server. */
  openPresharedKey: OpenPresharedKey;
  /** Proposes the server's load to the cluster; a rejection is logged and retried on a later read. */
  reportLoad: (load: MeasuredLoad) => Promise<void>;
  logger: Logger;
  /**
   * Longest wait from a state change to the sync it causes; changes within
   * the window share one sync. Default 250.
   */
  debounceMs?: number;
  /** How often the interface's peers are read for drift and load. Default 15 000. */
  statsIntervalMs?: number;
  /** Least time between two load reports; identical loads are not reported again. Default 60 000. */
  loadReportIntervalMs?: number;
  /** Wait before retrying a failed sync. Default 5 000. */
  syncRetryMs?: number;
  /** Wall clock, replaceable in tests. */
  now?: () => number;
}

/** What the agent last saw, for health checks and metrics. */
export interface VpnAgentStatus {
  /** When the interface last matched the state, null before the first successful sync. */
  syncedAtMs: number | null;
  /** The last sync's failure, null once a sync succeeds. */
  syncError: VpnDriverError | null;
  /** Peers as last read from the interface. */
  peers: readonly PeerStatus[];
  /** The last load the cluster accepted. */
  reportedLoad: MeasuredLoad | null;
}

/**
 * Drives this server's interface. Syncs are coalesced (at most one per
 * `debounceMs` window) and never overlap each other or a stats read, so the
 * driver sees one command sequence at a time.
 */
export class VpnAgent {
  private readonly debounceMs: number;
  private readonly statsIntervalMs: number;
  private readonly loadReportIntervalMs: number;
  private readonly syncRetryMs: number;
  private readonly now: () => number;
  private readonly logger: Logger;
  private running = false;
  private syncTimer: NodeJS.Timeout | undefined;
  private statsTimer: NodeJS.Timeout | undefined;
  /** Set from scheduling a sync until it starts, so a drift check does not mistake a pending change for drift. */
  private syncPending = false;
  private statsQueued = false;
  private readonly tasks: SerialTasks;
  private reportInFlight: Promise<void> | undefined;
  private lastReport: { load: MeasuredLoad; atMs: number } | undefined;
  private lastApplied: readonly InterfacePeer[] | undefined;
  /** Peers skipped last time, so a bad peer is logged once when it turns bad, not on every sync. */
  private readonly presharedKeys: OpenedPresharedKeys;
  private skippedPeerKeys = new Set<string>();
  private current: VpnAgentStatus = {
    syncedAtMs: null,
    syncError: null,
    peers: [],
    reportedLoad: null,
  };

  constructor(private readonly options: VpnAgentOptions) {
    this.presharedKeys = new OpenedPresharedKeys(options.openPresharedKey);
    this.debounceMs = options.debounceMs ?? 250;
    this.statsIntervalMs = options.statsIntervalMs ?? 15_000;
    this.loadReportIntervalMs = options.loadReportIntervalMs ?? 60_000;
    this.syncRetryMs = options.syncRetryMs ?? 5_000;
    this.now = options.now ?? Date.now;
    this.logger = options.logger.child({
      serverId: options.serverId,
      vpnDriver: options.driver.kind,
    });
    this.tasks = new SerialTasks(this.logger, "vpn agent", () => this.running);
  }

  /** Syncs at once, then keeps the interface in step until {@link stop}. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.scheduleSync(0);
    this.statsTimer = setInterval(() => {
      // Behind a slow sync, reads would pile up; one waiting read is enough.
      if (this.statsQueued) return;
      this.statsQueued = true;
      this.enqueue(() => this.readStats());
    }, this.statsIntervalMs);
  }

  /**
   * Stops the timers, waits for the sync, read or report under way, then
   * removes the egress rules: this node no longer routes for the server. The
   * interface and its peers stay up, so a restart does not cut the tunnel.
   */
  async stop(): Promise<void> {
    const wasRunning = this.running;
    this.running = false;
    clearTimeout(this.syncTimer);
    clearInterval(this.statsTimer);
    this.syncTimer = undefined;
    this.statsTimer = undefined;
    this.syncPending = false;
    this.statsQueued = false;
    await this.tasks.drained();
    await this.reportInFlight;
    if (!wasRunning) return;
    const released = await this.options.driver.release();
    if (!released.ok) {
      const { code, message, command, stderr } = released.error;
      this.logger.error({ code, command, stderr }, `cannot remove the egress rules: ${message}`);
    }
  }

  /**
   * Stops for good: the rules go as in `stop`, and the interface with every
   * peer on it, since this server no longer serves anyone.
   */
  async retire(): Promise<void> {
    await this.stop();
    const removed = await this.options.driver.removeInterface();
    if (!removed.ok)
      this.logger.error(
        { code: removed.error.code, command: removed.error.command },
        `cannot remove the VPN interface: ${removed.error.message}`,
      );
  }

  /** Call after the node applies entries that may touch this server; the sync follows within `debounceMs`. */
  notifyStateChanged(): void {
    this.scheduleSync(this.debounceMs);
  }

  /** What the agent last saw. */
  status(): VpnAgentStatus {
    return this.current;
  }

  private scheduleSync(delayMs: number): void {
    // A sync already scheduled will read the newest state when it runs.
    if (!this.running || this.syncTimer) return;
    this.syncPending = true;
    this.syncTimer = setTimeout(() => {
      this.syncTimer = undefined;
      this.enqueue(() => this.sync());
    }, delayMs);
  }

  private enqueue(task: () => Promise<void>): void {
    this.tasks.enqueue(task);
  }

  private desiredPeers(state: AgentDesiredState): InterfacePeer[] {
    const { peers, skipped } = desiredPeersFrom(state.peers, this.presharedKeys.lookup);
    this.presharedKeys.endRound();
    for (const { publicKey, reason } of skipped) {
      if (!this.skippedPeerKeys.has(publicKey)) {
        this.logger.error({ peer: publicKey, reason }, "peer left out of the VPN interface");
      }
    }
    this.skippedPeerKeys = new Set(skipped.map((skip) => skip.publicKey));
    return peers;
  }

  private async sync(): Promise<void> {
    // A change that arrived after this sync was queued has its own timer, still pending.
    this.syncPending = this.syncTimer !== undefined;
    const state = this.options.readDesiredState();
    if (!state) {
      this.logger.debug("server not registered yet; nothing to sync");
      return;
    }
    const peers = this.desiredPeers(state);
    const applied = await this.options.driver.apply({ address: state.interfaceAddress, peers });
    if (!applied.ok) {
      const { code, message, command, stderr } = applied.error;
      this.current = { ...this.current, syncError: applied.error };
      this.logger.error(
        { code, command, stderr, retryInMs: this.syncRetryMs },
        `VPN interface sync failed: ${message}`,
      );
      this.scheduleSync(this.syncRetryMs);
      return;
    }
    const diff = this.lastApplied ? diffPeers(peers, this.lastApplied) : null;
    this.lastApplied = peers;
    this.current = { ...this.current, syncedAtMs: this.now(), syncError: null };
    if (!diff || !isEmptyDiff(diff)) {
      this.logger.info(
        {
          peers: peers.length,
          added: diff?.added.length,
          removed: diff?.removed.length,
          changed: diff?.changed.length,
        },
        "VPN interface synced",
      );
    }
  }

  private async readStats(): Promise<void> {
    this.statsQueued = false;
    const read = await this.options.driver.readPeers();
    if (!read.ok) {
      const { code, message, command, stderr } = read.error;
      this.logger.warn({ code, command, stderr }, `cannot read VPN interface peers: ${message}`);
      // The interface may be gone (a reboot, a killed wireguard-go); a sync recreates it.
      this.scheduleSync(this.debounceMs);
      return;
    }
    this.current = { ...this.current, peers: read.value };
    this.repairDrift(read.value);
    this.maybeReportLoad(aggregateLoad(read.value, this.now()));
  }

  private repairDrift(actual: readonly PeerStatus[]): void {
    const state = this.syncPending ? null : this.options.readDesiredState();
    if (!state) return;
    const diff = diffPeers(this.desiredPeers(state), actual);
    if (isEmptyDiff(diff)) return;
    this.logger.warn(
      { added: diff.added.length, removed: diff.removed.length, changed: diff.changed.length },
      "VPN interface differs from the replicated state; syncing",
    );
    this.scheduleSync(0);
  }

  private maybeReportLoad(load: MeasuredLoad): void {
    if (this.reportInFlight) return;
    const nowMs = this.now();
    const last = this.lastReport;
    if (last && (nowMs - last.atMs < this.loadReportIntervalMs || sameLoad(last.load, load))) {
      return;
    }
    this.reportInFlight = this.options
      .reportLoad(load)
      .then(
        () => {
          this.lastReport = { load, atMs: nowMs };
          this.current = { ...this.current, reportedLoad: load };
        },
        (error: unknown) => {
          this.logger.warn({ err: error }, "load report not accepted; retrying on a later read");
        },
      )
      .finally(() => {
        this.reportInFlight = undefined;
      });
  }
}
