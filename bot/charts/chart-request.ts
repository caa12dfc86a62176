/** What the bot asks the chart thread to draw: plain data, so it crosses to the thread as is. */
import type { ServerView } from "../../cluster/fsm/views.ts";
import { type ChartSpec, fleetChart } from "./fleet-chart.ts";

export interface ChartRequest {
  servers: ServerView[];
  nowMs: number;
  title: string;
}

export function chartSpecOf(request: ChartRequest): ChartSpec {
  return fleetChart(request.servers, request.nowMs, request.title);
}
