/**
 * Draws the admins' 24-hour charts on a worker thread (see chart-thread.ts).
 * One thread is enough: charts answer admin commands, a few a minute at most.
 */
import { PngWorker } from "../png-worker.ts";
import { type ChartRequest, chartSpecOf } from "./chart-request.ts";

/**
 * Draws in the calling thread, loading the drawing library only then:
 * ECharts takes most of a second to load, and a node whose chart thread runs
 * (every node but a broken one) never needs it on its main thread.
 */
async function renderChartPngHere(request: ChartRequest) {
  const { renderChartPng } = await import("./chart-png.ts");
  return renderChartPng(chartSpecOf(request));
}

export class ChartRenderer extends PngWorker<ChartRequest, "CHART_FAILED"> {
  constructor() {
    super({
      threadUrl: new URL("./chart-thread.mjs", import.meta.url),
      what: "chart",
      failureCode: "CHART_FAILED",
      renderHere: renderChartPngHere,
    });
  }
}
