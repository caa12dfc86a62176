/**
 * Draws an ECharts option as a PNG on the node itself, with no browser:
 * ECharts renders it to SVG on the server (its `ssr` mode), resvg turns the
 * SVG into pixels with a font from the system (fonts-dejavu-core, which
 * covers Latin, Cyrillic and Arabic script, so Persian and Russian names
 * draw).
 */
import { existsSync } from "node:fs";
import { Resvg } from "@resvg/resvg-js";
import * as echarts from "echarts";
import { err, ok, type Result } from "../../shared/result.ts";
import { CHART_FONT_FAMILY, type ChartSpec } from "./fleet-chart.ts";

/** Where Debian's fonts-dejavu-core puts the font (scripts/ensure-system-packages.sh installs it). */
export const CHART_FONT_FILES = [
  "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
  "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
];

/** The chart as SVG text. */
export function renderChartSvg(spec: ChartSpec): string {
  const chart = echarts.init(null, null, {
    renderer: "svg",
    ssr: true,
    width: spec.widthPx,
    height: spec.heightPx,
  });
  try {
    chart.setOption(spec.option);
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

/** The chart as a PNG; CHART_FAILED when ECharts or resvg cannot draw it, or the font is missing. */
export function renderChartPng(spec: ChartSpec): Result<Buffer, "CHART_FAILED"> {
  const fontFiles = CHART_FONT_FILES.filter((file) => existsSync(file));
  if (fontFiles.length === 0)
    return err(
      "CHART_FAILED",
      `no font to draw charts with: install fonts-dejavu-core (${CHART_FONT_FILES[0]})`,
    );
  try {
    const svg = renderChartSvg(spec);
    const resvg = new Resvg(svg, {
      font: { fontFiles, loadSystemFonts: false, defaultFontFamily: CHART_FONT_FAMILY },
      background: "#ffffff",
    });
    return ok(Buffer.from(resvg.render().asPng()));
  } catch (error) {
    return err(
      "CHART_FAILED",
      `cannot draw the chart: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
