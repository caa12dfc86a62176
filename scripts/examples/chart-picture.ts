/**
 * Draws docs/fleet-chart.png, the picture in the README: the chart `/metrics`
 * sends, with the bot's own chart code and thread, for a made-up day of a
 * three-server fleet where one ISP starts blocking one server in the evening.
 * Usage: npx tsx scripts/examples/chart-picture.ts [output.png]
 */
import { writeFileSync } from "node:fs";
import { ChartRenderer } from "../../bot/charts/chart-renderer.ts";
import { HOUR_MS, HOURS_KEPT, hourStartOf } from "../../cluster/fsm/hourly-history.ts";
import type { HourlySample, Verdict } from "../../cluster/fsm/records.ts";
import type { ServerView } from "../../cluster/fsm/views.ts";

const NOW = Date.UTC(2026, 11, 6, 6, 40);
const output = process.argv[2] ?? "docs/fleet-chart.png";

/** A day of one server: a daily curve of use, scaled, and the hour a block at MCI begins. */
function day(id: string, scale: number, blockedFromHour: number | null): ServerView {
  const hourly: HourlySample[] = Array.from({ length: HOURS_KEPT }, (_, n) => {
    const hourStart = hourStartOf(NOW) - (HOURS_KEPT - 1 - n) * HOUR_MS;
    const localHour = (new Date(hourStart).getUTCHours() + 3) % 24;
    const use = 0.3 + 0.7 * Math.max(0, Math.sin(((localHour - 6) / 24) * 2 * Math.PI));
    const blocked = blockedFromHour !== null && n >= blockedFromHour;
    const verdict: Verdict = blocked ? "filtered" : n % 11 === 4 ? "inconclusive" : "ok";
    return {
      hourStart,
      configsIssued: Math.round(scale * use * 4 + (n % 3)),
      activePeers: Math.round(scale * use * 40 * (blocked ? 0.4 : 1)),
      rxBytes: Math.round(scale * use * 900_000_000),
      txBytes: Math.round(scale * use * 150_000_000),
      verdicts: [
        { group: "", verdict },
        { group: "MCI", verdict: blocked ? "filtered" : "ok" },
        { group: "Ростелеком", verdict: "ok" },
        { group: "ایرانسل", verdict: n % 13 === 7 ? "inconclusive" : "ok" },
      ],
    };
  });
  return { id, liveConfigs: Math.round(scale * 100), hourly } as ServerView;
}

const renderer = new ChartRenderer();
const png = await renderer.render({
  servers: [day("de-fra-1", 1.2, null), day("nl-ams-2", 0.9, 19), day("fi-hel-3", 0.6, null)],
  nowMs: NOW,
  title: "Fleet, last 24 hours",
  language: "en",
});
await renderer.close();
if (!png.ok) throw new Error(png.error.message);
writeFileSync(output, png.value);
console.log(`wrote ${output} (${png.value.length} bytes)`);
