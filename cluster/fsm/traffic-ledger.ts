/**
 * The replicated traffic accounts: the current period, each server's last
 * report time, each config's raw counter and period totals, and each user's
 * period totals, quota override and suspension. Maps keep insertion order,
 * which every node reproduces (a snapshot keeps it).
 */
import type { Config, ConfigTraffic, UserTraffic } from "./records.ts";

export class TrafficLedger {
  /** When the current period started (epoch ms); 0 before the leader started the first one. */
  periodStart = 0;
  /** The `at` of each server's last accepted report: reports are at least `trafficReportSeconds` apart. */
  readonly serverReportedAt = new Map<string, number>();
  readonly configs = new Map<string, ConfigTraffic>();
  readonly users = new Map<string, UserTraffic>();

  /** A user's account, created empty (default quota) on first use. */
  userAccount(userId: string): UserTraffic {
    let account = this.users.get(userId);
    if (!account) {
      account = {
        userId,
        rxBytes: 0,
        txBytes: 0,
        quotaGb: null,
        warned: false,
        suspended: false,
        lifted: false,
      };
      this.users.set(userId, account);
    }
    return account;
  }

  isSuspended(userId: string): boolean {
    return this.users.get(userId)?.suspended === true;
  }
}

/**
 * The peer a config's traffic counter belongs to on its server: its
 * WireGuard client key, or `ss:<port>` for a Shadowsocks config (ss-manager
 * counts by port). A re-keyed config is a new peer whose counter starts at zero.
 */
export function trafficPeerOf(config: Pick<Config, "clientPublicKey" | "shadowsocks">): string {
  return config.shadowsocks
    ? shadowsocksTrafficPeer(config.shadowsocks.port)
    : config.clientPublicKey;
}

/** The peer id of a Shadowsocks port's counter. */
export function shadowsocksTrafficPeer(port: number): string {
  return `ss:${port}`;
}
