/**
 * The loop each node that offers Shadowsocks runs beside its VPN agent: it
 * makes ss-manager serve exactly the live Shadowsocks configs of this server
 * (shortly after the state changes, and whenever a periodic read finds
 * drift), starts ss-manager again when it died, and keeps the per-port
 * traffic counters it reads for whoever needs them (quotas, metrics).
 *
 * ss-manager forgets everything when it restarts, and a fresh driver start
 * clears what a crashed run left, so every (re)start is followed by adding
 * every live port from the replicated state.
 */

import type { Logger } from "../../shared/logger.ts";
import type { ServerShadowsocksPort } from "../fsm/records.ts";
import type { OpenPresharedKey } from "./desired-peers.ts";
import { desiredPortsFrom, diffPorts, isEmptyPortDiff } from "./desired-shadowsocks-ports.ts";
import { OpenedPresharedKeys } from "./opened-preshared-keys.ts";
import { SerialTasks } from "./serial-tasks.ts";
import type {
  ManagedPort,
  ShadowsocksDriver,
  ShadowsocksDriverError,
} from "./shadowsocks-driver.ts";

export interface ShadowsocksAgentOptions {
  driver: ShadowsocksDriver;
  serverId: string;
  /** This server's Shadowsocks ports in the applied state; null while it is not registered. */
  readDesiredPorts: () => readonly ServerShadowsocksPort[] | null;
  /** Opens a password sealed to this server (the same box as its preshared keys). */
  openPassword: OpenPresharedKey;
  logger: Logger;
  /** Longest wait from a state change to the sync it causes. Default 250. */
  debounceMs?: number;
  /** How often traffic is read and drift repaired. Default 15 000. */
  statsIntervalMs?: number;
  /** Wait before retrying a failed sync. Default 5 000. */
  syncRetryMs?: number;
  now?: () => number;
}

/** Bytes one config's port relayed (both directions) since ss-manager last added it. */
export interface ConfigTraffic {
  configId: string;
  port: number;
  bytes: number;
}

export interface ShadowsocksAgentStatus {
  /** When ss-manager last served exactly the state, null before that. */
  syncedAtMs: number | null;
  /** The last sync's failure, null once a sync succeeds. */
  syncError: ShadowsocksDriverError | null;
  /** Ports served at the last sync. */
  ports: number;
  /** The counters of the last read, by config id; counters restart at 0 when ss-manager does. */
  traffic: readonly ConfigTraffic[];
  /** When `traffic` was read, null before the first read. */
  trafficReadAtMs: number | null;
}

export class ShadowsocksAgent {
  private readonly debounceMs: number;
  private readonly statsIntervalMs: number;
  private readonly syncRetryMs: number;
  private readonly now: () => number;
  private readonly logger: Logger;
  private readonly passwords: OpenedPresharedKeys;
  private running = false;
  /** Whether the driver is started; false after a failure that may mean ss-manager died. */
  private driverStarted = false;
  private syncTimer: NodeJS.Timeout | undefined;
  private statsTimer: NodeJS.Timeout | undefined;
  private readonly tasks: SerialTasks;
  private skipped = new Set<string>();
  private current: ShadowsocksAgentStatus = {
    syncedAtMs: null,
    syncError: null,
    ports: 0,
    traffic: [],
    trafficReadAtMs: null,
  };

  constructor(private readonly options: ShadowsocksAgentOptions) {
    this.debounceMs = options.debounceMs ?? 250;
    this.statsIntervalMs = options.statsIntervalMs ?? 15_000;
    this.syncRetryMs = options.syncRetryMs ?? 5_000;
    this.now = options.now ?? Date.now;
    this.passwords = new OpenedPresharedKeys(options.openPassword);
    this.logger = options.logger.child({
      serverId: options.serverId,
      shadowsocksDriver: options.driver.kind,
    });
    this.tasks = new SerialTasks(this.logger, "shadowsocks agent", () => this.running);
  }

  /** Starts ss-manager and serves every live port, then keeps it in step until stopped. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.scheduleSync(0);
    this.statsTimer = setInterval(
      () => this.enqueue(() => this.readTraffic()),
      this.statsIntervalMs,
    );
  }

  /** Stops the loop and ss-manager with every port: Shadowsocks runs only while its node does. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.syncTimer);
    clearInterval(this.statsTimer);
    this.syncTimer = undefined;
    this.statsTimer = undefined;
    await this.tasks.drained();
    await this.options.driver.stop();
    this.driverStarted = false;
  }

  /** Call after the node applies entries that may touch this server. */
  notifyStateChanged(): void {
    this.scheduleSync(this.debounceMs);
  }

  status(): ShadowsocksAgentStatus {
    return this.current;
  }

  private scheduleSync(delayMs: number): void {
    if (!this.running || this.syncTimer) return;
    this.syncTimer = setTimeout(() => {
      this.syncTimer = undefined;
      this.enqueue(() => this.sync());
    }, delayMs);
  }

  private enqueue(task: () => Promise<void>): void {
    this.tasks.enqueue(task);
  }

  private fail(error: ShadowsocksDriverError, what: string): void {
    if (error.code !== "SS_MANAGER_REFUSED") this.driverStarted = false;
    this.current = { ...this.current, syncError: error };
    this.logger.error(
      { code: error.code, retryInMs: this.syncRetryMs },
      `${what}: ${error.message}`,
    );
    this.scheduleSync(this.syncRetryMs);
  }

  private desiredPorts(): ManagedPort[] | null {
    const state = this.options.readDesiredPorts();
    if (!state) return null;
    const { ports, skipped } = desiredPortsFrom(state, this.passwords.lookup);
    this.passwords.endRound();
    for (const { configId, port, reason } of skipped)
      if (!this.skipped.has(configId))
        this.logger.error({ configId, port, reason }, "Shadowsocks port left unserved");
    this.skipped = new Set(skipped.map((skip) => skip.configId));
    return ports;
  }

  private async sync(): Promise<void> {
    const desired = this.desiredPorts();
    if (!desired) return;
    if (!this.driverStarted) {
      const started = await this.options.driver.start();
      if (!started.ok) return this.fail(started.error, "cannot start Shadowsocks");
      this.driverStarted = true;
    }
    const actual = await this.options.driver.listPorts();
    if (!actual.ok) return this.fail(actual.error, "cannot list Shadowsocks ports");
    const diff = diffPorts(desired, actual.value);
    for (const port of diff.remove) {
      const removed = await this.options.driver.removePort(port);
      if (!removed.ok) return this.fail(removed.error, `cannot remove Shadowsocks port ${port}`);
    }
    let failed = 0;
    for (const port of diff.add) {
      const added = await this.options.driver.addPort(port);
      if (added.ok) continue;
      // One port taken by another program must not keep the others from being served.
      if (added.error.code !== "SS_MANAGER_REFUSED")
        return this.fail(added.error, `cannot add Shadowsocks port ${port.port}`);
      failed++;
      this.logger.error({ port: port.port }, `Shadowsocks port not served: ${added.error.message}`);
    }
    if (failed > 0) {
      this.current = {
        ...this.current,
        syncError: { code: "SS_MANAGER_REFUSED", message: `${failed} port(s) refused` },
      };
      this.scheduleSync(this.syncRetryMs);
      return;
    }
    this.current = {
      ...this.current,
      syncedAtMs: this.now(),
      syncError: null,
      ports: desired.length,
    };
    if (!isEmptyPortDiff(diff))
      this.logger.info(
        { ports: desired.length, added: diff.add.length, removed: diff.remove.length },
        "Shadowsocks ports synced",
      );
  }

  private async readTraffic(): Promise<void> {
    if (!this.driverStarted) return this.scheduleSync(0);
    const traffic = await this.options.driver.readTraffic();
    if (!traffic.ok) return this.fail(traffic.error, "cannot read Shadowsocks traffic");
    const byPort = new Map(traffic.value.map((entry) => [entry.port, entry.bytes]));
    const state = this.options.readDesiredPorts() ?? [];
    const perConfig: ConfigTraffic[] = [];
    for (const { configId, port } of state) {
      const bytes = byPort.get(port);
      if (bytes !== undefined) perConfig.push({ configId, port, bytes });
    }
    this.current = { ...this.current, traffic: perConfig, trafficReadAtMs: this.now() };
    // A port served that should not be, or missing: the next sync puts it right.
    if (byPort.size !== state.length || state.some(({ port }) => !byPort.has(port)))
      this.scheduleSync(0);
  }
}
