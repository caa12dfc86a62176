/**
 * What the admins' 24-hour chart shows, as an Apache ECharts option: configs
 * issued and active peers per hour per server, traffic per server, and the
 * ban-check verdicts as a timeline per server and ISP. A pure function of
 * the servers' hourly history (cluster/fsm/hourly-history.ts) and the time,
 * with the texts of the admin's language; chart-png.ts draws it.
 */
import type { EChartsOption, SeriesOption } from "echarts";
import { HOUR_MS, HOURS_KEPT, hourStartOf } from "../../cluster/fsm/hourly-history.ts";
import type { HourlySample, Verdict } from "../../cluster/fsm/records.ts";
import type { ServerView } from "../../cluster/fsm/views.ts";
import type { ChartTexts } from "../i18n/admin-messages.ts";

/** The font every text is drawn with; chart-png.ts loads it. */
export const CHART_FONT_FAMILY = "DejaVu Sans";

/** Servers one chart draws at most: the ones with the most live configs. */
export const MAX_CHARTED_SERVERS = 12;

/** Timeline rows at most (a server and its ISP groups each take one). */
const MAX_TIMELINE_ROWS = 24;

const WIDTH_PX = 1000;
const PLOT_LEFT_PX = 150;
const PLOT_RIGHT_PX = 30;
const PANEL_HEIGHT_PX = 170;
const PANEL_GAP_PX = 70;
const TOP_PX = 95;
const ROW_HEIGHT_PX = 20;
const BYTES_PER_MB = 1_000_000;

/** Colours of the servers, in turn; a 13th server would repeat the first. */
const SERVER_COLOURS = [
  "#5470c6",
  "#91cc75",
  "#fac858",
  "#ee6666",
  "#73c0de",
  "#3ba272",
  "#fc8452",
  "#9a60b4",
  "#ea7ccc",
  "#2f4554",
  "#c23531",
  "#61a0a8",
];

const VERDICT_COLOURS: Record<Verdict, string> = {
  ok: "#3ba272",
  inconclusive: "#bbbbbb",
  down: "#fc8452",
  filtered: "#c23531",
};

/** A chart ready to draw: the option and the picture's size. */
export interface ChartSpec {
  option: EChartsOption;
  widthPx: number;
  heightPx: number;
}

/** One timeline row: a server as a whole (group '') or one ISP group of it. */
interface TimelineRow {
  label: string;
  serverId: string;
  group: string;
}

function hourLabel(hourStart: number, texts: ChartTexts): string {
  return texts.digits(`${new Date(hourStart).toISOString().slice(11, 13)}:00`);
}

/** Each hour's sample of `server`, one entry per chart hour (undefined where none was kept). */
function samplesByHour(server: ServerView, hours: readonly number[]): (HourlySample | undefined)[] {
  const byHour = new Map(server.hourly.map((sample) => [sample.hourStart, sample]));
  return hours.map((hour) => byHour.get(hour));
}

function timelineRows(servers: readonly ServerView[]): TimelineRow[] {
  const rows: TimelineRow[] = [];
  for (const server of servers) {
    rows.push({ label: server.id, serverId: server.id, group: "" });
    const groups = new Set<string>();
    for (const sample of server.hourly)
      for (const { group } of sample.verdicts) if (group !== "") groups.add(group);
    for (const group of [...groups].sort())
      rows.push({ label: `${server.id} · ${group}`, serverId: server.id, group });
  }
  return rows.slice(0, MAX_TIMELINE_ROWS);
}

/** Which servers to draw: those with the most live configs, then by id. */
function chartedServers(servers: readonly ServerView[]): ServerView[] {
  return [...servers]
    .sort((a, b) => b.liveConfigs - a.liveConfigs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(0, MAX_CHARTED_SERVERS);
}

/**
 * The 24-hour chart of `servers` at `nowMs`, titled `title`, its texts from
 * `texts`. With more than {@link MAX_CHARTED_SERVERS} servers, the busiest
 * are drawn and the subtitle says so.
 */
export function fleetChart(
  servers: readonly ServerView[],
  nowMs: number,
  title: string,
  texts: ChartTexts,
): ChartSpec {
  const charted = chartedServers(servers);
  const hours = Array.from(
    { length: HOURS_KEPT },
    (_, n) => hourStartOf(nowMs) - (HOURS_KEPT - 1 - n) * HOUR_MS,
  );
  const rows = timelineRows(charted);
  const panelTops = [0, 1, 2].map((panel) => TOP_PX + panel * (PANEL_HEIGHT_PX + PANEL_GAP_PX));
  const timelineTop = TOP_PX + 3 * (PANEL_HEIGHT_PX + PANEL_GAP_PX);
  const timelineHeight = Math.max(1, rows.length) * ROW_HEIGHT_PX;
  const heightPx = timelineTop + timelineHeight + 50;
  const cellWidth = (WIDTH_PX - PLOT_LEFT_PX - PLOT_RIGHT_PX) / hours.length;
  const subtitle = texts.subtitle(charted.length, servers.length);

  const grids = [
    ...panelTops.map((top) => ({ top, height: PANEL_HEIGHT_PX })),
    { top: timelineTop, height: timelineHeight },
  ].map((box) => ({ ...box, left: PLOT_LEFT_PX, right: PLOT_RIGHT_PX, containLabel: false }));
  const panelTitles = [texts.configsIssued, texts.activePeers, texts.traffic, texts.banChecks];

  const series: SeriesOption[] = [];
  charted.forEach((server, position) => {
    const color = SERVER_COLOURS[position % SERVER_COLOURS.length]!;
    const samples = samplesByHour(server, hours);
    series.push(
      {
        type: "bar",
        name: server.id,
        stack: "configs",
        xAxisIndex: 0,
        yAxisIndex: 0,
        itemStyle: { color },
        data: samples.map((sample) => sample?.configsIssued ?? 0),
      },
      {
        type: "line",
        name: server.id,
        xAxisIndex: 1,
        yAxisIndex: 1,
        itemStyle: { color },
        lineStyle: { color },
        showSymbol: false,
        connectNulls: false,
        data: samples.map((sample) => sample?.activePeers ?? null),
      },
      {
        type: "line",
        name: server.id,
        xAxisIndex: 2,
        yAxisIndex: 2,
        itemStyle: { color },
        lineStyle: { color },
        showSymbol: false,
        data: samples.map((sample) =>
          sample ? Math.round((sample.rxBytes + sample.txBytes) / (BYTES_PER_MB / 100)) / 100 : 0,
        ),
      },
    );
  });
  const byServer = new Map(charted.map((server) => [server.id, samplesByHour(server, hours)]));
  for (const verdict of ["ok", "inconclusive", "down", "filtered"] as const) {
    const cells: [number, number][] = [];
    rows.forEach((row, rowIndex) => {
      byServer.get(row.serverId)!.forEach((sample, hourIndex) => {
        const found = sample?.verdicts.find((entry) => entry.group === row.group);
        if (found?.verdict === verdict) cells.push([hourIndex, rowIndex]);
      });
    });
    series.push({
      type: "scatter",
      name: texts.verdicts[verdict],
      xAxisIndex: 3,
      yAxisIndex: 3,
      symbol: "rect",
      symbolSize: [Math.max(2, cellWidth - 2), ROW_HEIGHT_PX - 4],
      itemStyle: { color: VERDICT_COLOURS[verdict], opacity: 1 },
      data: cells,
    });
  }

  const categories = hours.map((hour) => hourLabel(hour, texts));
  const axisLabel = { fontSize: 10, formatter: (value: number) => texts.digits(String(value)) };
  const option: EChartsOption = {
    animation: false,
    backgroundColor: "#ffffff",
    textStyle: { fontFamily: CHART_FONT_FAMILY },
    title: [
      { text: title, subtext: subtitle, left: "center", top: 5 },
      ...panelTitles.map((text, panel) => ({
        text,
        left: PLOT_LEFT_PX,
        top: (grids[panel]!.top as number) - 26,
        textStyle: { fontSize: 13 },
      })),
    ],
    legend: { top: 55, left: "center", itemHeight: 10 },
    grid: grids,
    xAxis: grids.map((_, index) => ({
      type: "category" as const,
      gridIndex: index,
      data: categories,
      axisLabel: { interval: 2, fontSize: 10 },
    })),
    yAxis: [
      ...[0, 1, 2].map((index) => ({
        type: "value" as const,
        gridIndex: index,
        minInterval: index === 2 ? 0 : 1,
        axisLabel,
      })),
      {
        type: "category" as const,
        gridIndex: 3,
        inverse: true,
        data: rows.map((row) => row.label),
        axisLabel: { fontSize: 10, width: PLOT_LEFT_PX - 15, overflow: "truncate" as const },
        splitLine: { show: false },
      },
    ],
    series,
  };
  return { option, widthPx: WIDTH_PX, heightPx };
}
