/**
 * What the admins' 24-hour chart shows: the hourly history of each server,
 * aligned on the last 25 clock hours, and the ban-check timeline with one
 * row per server and per ISP group.
 */
import type { BarSeriesOption, ScatterSeriesOption, SeriesOption } from "echarts";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { fleetChart, MAX_CHARTED_SERVERS } from "../../../bot/charts/fleet-chart.ts";
import { messagesFor } from "../../../bot/i18n/language.ts";
import { HOUR_MS, HOURS_KEPT } from "../../../cluster/fsm/hourly-history.ts";
import type { HourlySample } from "../../../cluster/fsm/records.ts";
import type { ServerView } from "../../../cluster/fsm/views.ts";

const { admin: en } = messagesFor("en");
const NOW = Date.UTC(2026, 11, 6, 5, 30);
const THIS_HOUR = Date.UTC(2026, 11, 6, 5);

function sample(hoursAgo: number, fields: Partial<HourlySample> = {}): HourlySample {
  return {
    hourStart: THIS_HOUR - hoursAgo * HOUR_MS,
    configsIssued: 0,
    activePeers: null,
    rxBytes: 0,
    txBytes: 0,
    verdicts: [],
    ...fields,
  };
}

function server(id: string, hourly: HourlySample[], liveConfigs = 1): ServerView {
  return { id, hourly, liveConfigs } as ServerView;
}

function seriesOf(option: { series?: unknown }): SeriesOption[] {
  return option.series as SeriesOption[];
}

test("each server's hours land on the right column of the last 25 hours; hours without a sample are empty", () => {
  const { option } = fleetChart(
    [
      server("de1", [
        sample(24, { configsIssued: 2 }),
        sample(0, { configsIssued: 5, activePeers: 7 }),
      ]),
    ],
    NOW,
    "Fleet",
    en.chart,
  );
  const [configs, peers, traffic] = seriesOf(option);
  const configData = (configs as BarSeriesOption).data as number[];
  assert.is(configData.length, HOURS_KEPT);
  assert.is(configData[0], 2, "24 hours ago is the first column");
  assert.is(configData.at(-1), 5, "this hour is the last");
  assert.is(configData[12], 0);
  assert.is(
    ((peers as { data: unknown[] }).data as (number | null)[])[12],
    null,
    "no report: a gap",
  );
  assert.is(((traffic as { data: unknown[] }).data as number[]).length, HOURS_KEPT);
  const hours = (option.xAxis as { data: string[] }[])[0]!.data;
  assert.equal([hours[0], hours.at(-1)], ["05:00", "05:00"]);
});

test("traffic is received plus sent, in MB", () => {
  const { option } = fleetChart(
    [server("de1", [sample(0, { rxBytes: 1_500_000, txBytes: 250_000 })])],
    NOW,
    "Fleet",
    en.chart,
  );
  assert.is((seriesOf(option)[2] as { data: number[] }).data.at(-1), 1.75);
});

test("the timeline has a row per server and per ISP group, each hour coloured by its worst verdict", () => {
  const { option } = fleetChart(
    [
      server("nl2", [
        sample(1, {
          verdicts: [
            { group: "", verdict: "filtered" },
            { group: "همراه اول", verdict: "filtered" },
            { group: "Ростелеком", verdict: "ok" },
          ],
        }),
      ]),
    ],
    NOW,
    "Server nl2",
    en.chart,
  );
  const rows = (option.yAxis as { data?: string[] }[])[3]!.data;
  assert.equal(rows, ["nl2", "nl2 · Ростелеком", "nl2 · همراه اول"]);
  const byVerdict = new Map(
    seriesOf(option)
      .filter((series) => series.type === "scatter")
      .map((series) => [series.name, (series as ScatterSeriesOption).data]),
  );
  assert.equal(byVerdict.get("filtered"), [
    [23, 0],
    [23, 2],
  ]);
  assert.equal(byVerdict.get("ok"), [[23, 1]]);
  assert.equal(byVerdict.get("down"), []);
});

test(`a fleet of more than ${MAX_CHARTED_SERVERS} servers draws the busiest and says so`, () => {
  const servers = Array.from({ length: 15 }, (_, n) => server(`s${n}`, [], n));
  const { option } = fleetChart(servers, NOW, "Fleet", en.chart);
  const charted = new Set(
    seriesOf(option)
      .filter((series) => series.type === "bar")
      .map((series) => series.name),
  );
  assert.is(charted.size, MAX_CHARTED_SERVERS);
  assert.ok(charted.has("s14") && !charted.has("s0"), "most live configs first");
  const [main] = option.title as { subtext: string }[];
  assert.match(main!.subtext, /12 of 15 servers/);
});

test("a Persian or Russian admin's chart draws its titles, legend, hours and values in their language", () => {
  const servers = Array.from({ length: 14 }, (_, n) => server(`s${n}`, [], n));
  const drawn = (language: "fa" | "ru") => {
    const texts = messagesFor(language).admin.chart;
    const { option } = fleetChart(servers, NOW, texts.fleetTitle, texts);
    const titles = (option.title as { text: string; subtext?: string }[]).map(({ text, subtext }) =>
      [text, subtext ?? ""].join(" | ").replace(/[\u200F\u2066-\u2069]/g, ""),
    );
    const legend = seriesOf(option)
      .filter((series) => series.type === "scatter")
      .map((series) => series.name);
    const hours = (option.xAxis as { data: string[] }[])[0]!.data;
    const values = (option.yAxis as { axisLabel: { formatter: (value: number) => string } }[])[2]!;
    return { titles, legend, firstHour: hours[0], value: values.axisLabel.formatter(1500) };
  };
  const persian = drawn("fa");
  assert.equal(persian.titles, [
    "همهٔ سرورها، ۲۴ ساعت گذشته | ۱۲ از ۱۴ سرور، پرکانفیگ‌ترها اول؛ ساعت‌ها به وقت UTC",
    "کانفیگ‌های صادرشده در هر ساعت | ",
    "همتایان فعال (بیشینهٔ ساعت) | ",
    "ترافیک هر ساعت، مگابایت (دریافت + ارسال) | ",
    "بررسی‌های مسدودی: بدترین نتیجهٔ ساعت | ",
  ]);
  assert.equal(persian.legend, [
    "\u200Fسالم",
    "\u200Fنامشخص",
    "\u200Fاز کار افتاده",
    "\u200Fفیلترشده",
  ]);
  assert.is(persian.firstHour, "\u200F۰۵:۰۰");
  assert.is(persian.value, "\u200F۱۵۰۰");
  const russian = drawn("ru");
  assert.is(
    russian.titles[0],
    "Все серверы, последние 24 часа | 12 из 14 серверов, сначала с большим числом конфигов; время UTC",
  );
  assert.equal(russian.legend, ["в порядке", "неясно", "не работает", "фильтруется"]);
  assert.equal([russian.firstHour, russian.value], ["05:00", "1500"]);
});

test.run();
