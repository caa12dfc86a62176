/**
 * The Shadowsocks driver for development and tests without shadowsocks-libev:
 * touches nothing on the machine, keeps the ports a real ss-manager would
 * serve, and logs each change. Traffic can be set by tests.
 */
import type { Logger } from "../../shared/logger.ts";
import type {
  ManagedPort,
  PortTraffic,
  ShadowsocksDriver,
  ShadowsocksDriverResult,
} from "./shadowsocks-driver.ts";

const done = { ok: true, value: undefined } as const;

export class DryRunShadowsocksDriver implements ShadowsocksDriver {
  readonly kind = "dry-run";
  private readonly ports = new Map<number, ManagedPort>();
  private readonly traffic = new Map<number, number>();
  private running = false;

  constructor(private readonly logger?: Logger) {}

  async start(): Promise<ShadowsocksDriverResult<void>> {
    if (!this.running) this.ports.clear();
    this.running = true;
    return done;
  }

  async listPorts(): Promise<ShadowsocksDriverResult<ManagedPort[]>> {
    return { ok: true, value: this.sorted().map((port) => ({ ...port })) };
  }

  async addPort(port: ManagedPort): Promise<ShadowsocksDriverResult<void>> {
    if (!this.running || this.ports.has(port.port))
      return {
        ok: false,
        error: { code: "SS_MANAGER_REFUSED", message: "ss-manager refused: port is not available" },
      };
    this.ports.set(port.port, { ...port });
    this.traffic.set(port.port, 0);
    this.logger?.info({ port: port.port, method: port.method }, "dry run: Shadowsocks port added");
    return done;
  }

  async removePort(port: number): Promise<ShadowsocksDriverResult<void>> {
    if (this.ports.delete(port)) {
      this.traffic.delete(port);
      this.logger?.info({ port }, "dry run: Shadowsocks port removed");
    }
    return done;
  }

  async readTraffic(): Promise<ShadowsocksDriverResult<PortTraffic[]>> {
    return {
      ok: true,
      value: this.sorted().map(({ port }) => ({ port, bytes: this.traffic.get(port) ?? 0 })),
    };
  }

  async stop(): Promise<void> {
    this.running = false;
    this.ports.clear();
    this.traffic.clear();
  }

  /** For tests: what a port relayed, as ss-server would report it. */
  setTraffic(port: number, bytes: number): void {
    if (this.ports.has(port)) this.traffic.set(port, bytes);
  }

  private sorted(): ManagedPort[] {
    return [...this.ports.values()].sort((a, b) => a.port - b.port);
  }
}
