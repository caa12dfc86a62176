/**
 * The chart drawn as a PNG on the node: ECharts' SVG through resvg, with the
 * system font, so Latin, Cyrillic and Persian text draws; and the same
 * picture from the chart thread as from the calling thread.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { renderChartPng, renderChartSvg } from "../../../bot/charts/chart-png.ts";
import { ChartRenderer } from "../../../bot/charts/chart-renderer.ts";
import type { ChartRequest } from "../../../bot/charts/chart-request.ts";
import { fleetChart } from "../../../bot/charts/fleet-chart.ts";
import { messagesFor } from "../../../bot/i18n/language.ts";
import { HOUR_MS } from "../../../cluster/fsm/hourly-history.ts";
import type { ServerView } from "../../../cluster/fsm/views.ts";

const { admin: en } = messagesFor("en");
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const NOW = Date.UTC(2026, 11, 6, 5, 30);

const SERVER = {
  id: "thr1",
  liveConfigs: 3,
  hourly: [
    {
      hourStart: Date.UTC(2026, 11, 6, 4),
      configsIssued: 3,
      activePeers: 2,
      rxBytes: 5_000_000,
      txBytes: 1_000_000,
      verdicts: [
        { group: "", verdict: "ok" },
        { group: "Ростелеком", verdict: "ok" },
      ],
    },
  ],
} as unknown as ServerView;

function png(title: string): Buffer {
  const drawn = renderChartPng(fleetChart([SERVER], NOW, title, en.chart));
  assert.ok(drawn.ok, drawn.ok ? "" : drawn.error.message);
  return drawn.value;
}

test("the chart is a PNG of the chart's size", () => {
  const spec = fleetChart([SERVER], NOW, "Fleet", en.chart);
  const picture = png("Fleet");
  assert.ok(picture.subarray(0, 8).equals(PNG_SIGNATURE));
  assert.equal([picture.readUInt32BE(16), picture.readUInt32BE(20)], [spec.widthPx, spec.heightPx]);
});

test("Persian and Russian text is drawn with glyphs, not left out", () => {
  const svg = renderChartSvg(fleetChart([SERVER], NOW, "سرور تهران · Сервер", en.chart));
  assert.ok(svg.includes("سرور تهران · Сервер"), "the title is in the SVG as text");
  const blank = png("");
  assert.not.ok(png("سرور تهران").equals(blank), "Persian letters change the picture");
  assert.not.ok(png("Сервер").equals(blank), "Cyrillic letters change the picture");
});

test("the chart thread draws the same picture as this thread, and starts again after close", async () => {
  const renderer = new ChartRenderer();
  const request: ChartRequest = {
    servers: [SERVER],
    nowMs: NOW + HOUR_MS,
    title: "Server thr1",
    language: "en",
  };
  try {
    const fromThread = await renderer.render(request);
    const here = renderChartPng(
      fleetChart(request.servers, request.nowMs, request.title, en.chart),
    );
    assert.ok(fromThread.ok && here.ok);
    assert.ok(fromThread.value.equals(here.value));
    await renderer.close();
    assert.ok((await renderer.render(request)).ok);
  } finally {
    await renderer.close();
  }
});

test.run();
