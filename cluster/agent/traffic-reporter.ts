/**
 * Reports this server's per-config traffic to the cluster: every few seconds
 * it checks whether the next report is due (`trafficReportSeconds` after the
 * last one the state accepted, by this node's clock), reads the raw counters
 * of every source and proposes those that changed. It keeps nothing of its
 * own: what was counted lives in the replicated state, so a restarted node
 * goes on from there, and a failed proposal is made up by the next report.
 */

import type { Logger } from "../../shared/logger.ts";
import { MAX_TRAFFIC_COUNTERS } from "../fsm/commands.ts";
import type { ControlPlaneState } from "../fsm/control-plane.ts";
import { trafficPeerOf } from "../fsm/traffic-ledger.ts";
import {
  countersToReport,
  type ReportableConfig,
  type TrafficCounterEntry,
} from "./traffic-counters.ts";
import type { PeerTrafficCounter, TrafficSource } from "./traffic-source.ts";

/** What the reporter reads of the replicated state about its server. */
export interface TrafficReportState {
  configs: ReportableConfig[];
  /** The `at` of the last accepted report, if any. */
  lastReportAt: number | undefined;
  intervalMs: number;
}

/** This server's part of the state, for the reporter; null while the server is not registered. */
export function trafficReportState(
  state: Pick<
    ControlPlaneState,
    "server" | "liveConfigsOfServer" | "configTraffic" | "trafficReportedAt" | "setting"
  >,
  serverId: string,
): TrafficReportState | null {
  if (!state.server(serverId)) return null;
  return {
    configs: state.liveConfigsOfServer(serverId).map((config) => ({
      configId: config.id,
      peer: trafficPeerOf(config),
      last: state.configTraffic(config.id),
    })),
    lastReportAt: state.trafficReportedAt(serverId),
    intervalMs: Number(state.setting("trafficReportSeconds")) * 1000,
  };
}

export interface TrafficReporterOptions {
  sources: readonly TrafficSource[];
  readState: () => TrafficReportState | null;
  /** Proposes `reportTraffic` with these counters at `at`; a rejection is logged and made up later. */
  propose: (counters: TrafficCounterEntry[], at: number) => Promise<void>;
  logger: Logger;
  /** How often it checks whether a report is due. Default 5 000. */
  checkIntervalMs?: number;
  now?: () => number;
}

export class TrafficReporter {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly now: () => number;

  constructor(private readonly options: TrafficReporterOptions) {
    this.now = options.now ?? Date.now;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      // One report at a time: a slow proposal is not overtaken by the next.
      if (this.running) return;
      this.running = this.reportIfDue().finally(() => {
        this.running = undefined;
      });
    }, this.options.checkIntervalMs ?? 5000);
  }

  /** Stops checking and waits for a report under way. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Reads and proposes once if a report is due; what `start` runs on every check. */
  async reportIfDue(): Promise<void> {
    const { logger } = this.options;
    const state = this.options.readState();
    if (!state) return;
    const at = this.now();
    if (state.lastReportAt !== undefined && at < state.lastReportAt + state.intervalMs) return;
    const read: PeerTrafficCounter[] = [];
    for (const source of this.options.sources) {
      const counters = await source.read();
      if (!counters.ok) {
        const { code, message } = counters.error;
        logger.warn({ code, source: source.name }, `cannot read traffic counters: ${message}`);
        continue;
      }
      read.push(...counters.value);
    }
    const counters = countersToReport(state.configs, read, MAX_TRAFFIC_COUNTERS);
    if (counters.length === 0) return;
    try {
      await this.options.propose(counters, at);
    } catch (error) {
      logger.warn(
        { err: error instanceof Error ? error.message : String(error) },
        "traffic report not accepted; the next one carries its counters",
      );
    }
  }
}
