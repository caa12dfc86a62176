/**
 * One server's check for one round, from the replicated state to a
 * committed verdict: reads the server and the vantage probes, opens their
 * secrets, probes (server-probing.ts), and proposes `recordVerdict`. A round
 * already recorded for the server is not probed again; the state machine
 * also ignores a second verdict for a round, so two leaders probing the same
 * round at a handover count it once.
 */
import {
  CommandRefusedError,
  type ControlPlaneService,
} from "../../cluster/control-plane-service.ts";
import type { AdminActor } from "../../cluster/fsm/commands.ts";
import type { ControlPlaneState } from "../../cluster/fsm/control-plane.ts";
import type { ServerStatus, Verdict } from "../../cluster/fsm/records.ts";
import { openProbeKey } from "../../cluster/probe-peer.ts";
import type { SealedSecrets } from "../../cluster/sealed-secrets.ts";
import { openShadowsocksProbe } from "../../cluster/shadowsocks-probe-port.ts";
import type { Logger } from "../../shared/logger.ts";
import type { VerdictPolicy } from "./ban-verdict.ts";
import type { ProtocolCheck } from "./protocol-verdicts.ts";
import { checkServer, type OpenedVantage, type ServerCheckDeps } from "./server-probing.ts";

/** Statuses a round checks: a banned server is out until an admin lifts the ban. */
const CHECKED_STATUSES: ReadonlySet<ServerStatus> = new Set(["active", "draining", "down"]);

export interface CheckSettings {
  banAfter: number;
  downAfter: number;
  probeTimeoutMs: number;
  policy?: VerdictPolicy;
}

export interface ServerCheckerOptions {
  service: ControlPlaneService;
  /** Opens probe tokens and probe keys. */
  sealing: SealedSecrets;
  probing: ServerCheckDeps;
  settings: CheckSettings;
  logger: Logger;
}

/** Who asked for a check outside the schedule, and the Telegram update it answers. */
export interface CheckRequest {
  actor: AdminActor;
  updateId?: number;
}

/** How one check runs: until `signal` aborts, and for whom when it was asked for. */
export interface CheckOptions extends Partial<CheckRequest> {
  signal?: AbortSignal | undefined;
}

/** What a check committed. */
export interface RecordedVerdict {
  serverId: string;
  round: number;
  verdict: Verdict;
  evidence: string;
  /** Each protocol's verdict, for a server that offers two; empty otherwise, and for a duplicate. */
  protocols: ProtocolCheck[];
  /** What the verdict did to the server: none, ban, markDown or recover. */
  transition: string;
  /** True when the round had been recorded already (by this or an earlier leader). */
  duplicate: boolean;
  /** From reading the state to the verdict's commit, in milliseconds. */
  checkMs: number;
}

/** The servers a round checks, by id. */
export function serversToCheck(state: ControlPlaneState): string[] {
  return state
    .servers()
    .filter((server) => CHECKED_STATUSES.has(server.status) && server.endpointHost !== null)
    .map((server) => server.id);
}

export class ServerChecker {
  constructor(private readonly options: ServerCheckerOptions) {}

  /**
   * Checks `serverId` for `round` and commits the verdict. Resolves with what
   * was recorded, or null when there was nothing to check (unknown, banned or
   * without an endpoint), the signal aborted, or the round was overtaken.
   */
  async check(
    serverId: string,
    /** A scheduled round, or `now`: a round of its own after every earlier one (`/checknow`). */
    roundOrNow: number | "now",
    options: CheckOptions = {},
  ): Promise<RecordedVerdict | null> {
    const { signal, updateId, actor } = options;
    const { service, settings, logger } = this.options;
    const startedAt = performance.now();
    const state = await service.read();
    const server = state.server(serverId);
    if (!server || !CHECKED_STATUSES.has(server.status)) return null;
    const lastRound = server.checks.lastRound;
    const round =
      roundOrNow === "now" ? Math.max(service.now(), (lastRound ?? -1) + 1) : roundOrNow;
    const earlier = server.checks.recent.find((result) => result.round === round);
    if (earlier)
      return {
        serverId,
        ...earlier,
        protocols: [],
        transition: "none",
        duplicate: true,
        checkMs: performance.now() - startedAt,
      };
    if (server.checks.lastRound !== null && round < server.checks.lastRound) return null;

    const probeKey = server.probePeer ? openProbeKey(this.options.sealing, server) : undefined;
    if (probeKey && !probeKey.ok)
      logger.warn({ serverId, code: probeKey.error.code }, probeKey.error.message);
    const shadowsocks = openShadowsocksProbe(this.options.sealing, server);
    if (shadowsocks && !shadowsocks.ok)
      logger.warn({ serverId, code: shadowsocks.error.code }, shadowsocks.error.message);
    const checked = await checkServer(
      {
        server,
        probeKey: probeKey?.ok ? probeKey.value : undefined,
        shadowsocks: shadowsocks?.ok ? shadowsocks.value : undefined,
        vantages: this.openVantages(state),
        timeoutMs: settings.probeTimeoutMs,
        ...(settings.policy ? { policy: settings.policy } : {}),
        ...(signal ? { signal } : {}),
      },
      this.options.probing,
    );
    if (!checked.ok || signal?.aborted) return null;
    const { verdict, evidence, ispVerdicts, protocols } = checked.value;
    const mayMoveConfigs =
      verdict === "filtered" || protocols.some((protocol) => protocol.verdict === "filtered");
    try {
      const { value, duplicate } = await service.run({
        type: "recordVerdict",
        serverId,
        round,
        verdict,
        evidence,
        ...(ispVerdicts.length === 0 ? {} : { ispVerdicts }),
        at: service.now(),
        banAfter: settings.banAfter,
        downAfter: settings.downAfter,
        ...(protocols.length > 0 ? { protocolVerdicts: protocols } : {}),
        // A filtered verdict may ban, a filtered protocol close: the users then need fresh keys elsewhere.
        replacementKeys: mayMoveConfigs ? service.replacementKeysFor(serverId) : [],
        ...(updateId === undefined ? {} : { updateId }),
        ...(actor === undefined ? {} : { actor }),
      });
      const checkMs = performance.now() - startedAt;
      return {
        serverId,
        round,
        verdict,
        evidence,
        protocols,
        // A repeat of an update handled otherwise changed nothing.
        transition: value?.transition ?? "none",
        duplicate,
        checkMs,
      };
    } catch (error) {
      if (error instanceof CommandRefusedError && error.code === "STALE_ROUND") return null;
      throw error;
    }
  }

  /** The vantage probes with their tokens opened; one whose token cannot be opened is left out, loudly. */
  private openVantages(state: ControlPlaneState): OpenedVantage[] {
    const opened: OpenedVantage[] = [];
    for (const probe of state.vantageProbes()) {
      const token = this.options.sealing.open("vantageToken", probe.id, probe.tokenEncrypted);
      const probeKey =
        probe.probePrivateKeyEncrypted === null
          ? undefined
          : this.options.sealing.open("vantageProbeKey", probe.id, probe.probePrivateKeyEncrypted);
      if (!token.ok || (probeKey !== undefined && !probeKey.ok)) {
        this.options.logger.warn(
          { vantage: probe.id },
          "a vantage probe's token or probe key cannot be opened (does every node hold the data keys in DATA_KEYS?); it is left out",
        );
        continue;
      }
      opened.push({
        probe,
        token: token.value,
        ...(probeKey?.ok ? { probeKey: probeKey.value } : {}),
      });
    }
    return opened;
  }
}
