/** What the bot asks the chart thread to draw: plain data, so it crosses to the thread as is. */
import type { ServerView } from "../../cluster/fsm/views.ts";
import { type Language, messagesFor } from "../i18n/language.ts";
import { type ChartSpec, fleetChart } from "./fleet-chart.ts";

export interface ChartRequest {
  servers: ServerView[];
  nowMs: number;
  title: string;
  /** The admin's language: every text the picture draws is in it. */
  language: Language;
}

export function chartSpecOf(request: ChartRequest): ChartSpec {
  const texts = messagesFor(request.language).admin.chart;
  return fleetChart(request.servers, request.nowMs, request.title, texts);
}
