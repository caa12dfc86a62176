/**
 * Draws the admins' 24-hour charts on a worker thread (see chart-thread.ts).
 * One thread is enough: charts answer admin commands, a few a minute at most.
 */
import { PngWorker } from "../png-worker.ts";
import { renderChartPng } from "./chart-png.ts";
import { type ChartRequest, chartSpecOf } from "./chart-request.ts";

export class ChartRenderer extends PngWorker<ChartRequest, "CHART_FAILED"> {
  constructor() {
    super({
      threadUrl: new URL("./chart-thread.mjs", import.meta.url),
      what: "chart",
      failureCode: "CHART_FAILED",
      renderHere: (request) => renderChartPng(chartSpecOf(request)),
    });
  }
}
