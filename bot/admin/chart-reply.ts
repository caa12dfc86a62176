/** The 24-hour chart that `/metrics` and `/server <id>` send after their text. */
import { InputFile } from "grammy";
import type { ServerView } from "../../cluster/fsm/views.ts";
import type { BotContext } from "../context.ts";

/**
 * Sends the chart of `servers` as a photo. A chart that cannot be drawn is
 * said so in one line (and logged): the text before it already answered.
 */
export async function replyWithChart(
  ctx: BotContext,
  servers: ServerView[],
  title: string,
): Promise<void> {
  const startedAt = performance.now();
  const png = await ctx.deps.charts.render({
    servers,
    nowMs: ctx.deps.service.now(),
    title,
    language: ctx.language,
  });
  const chartMs = Math.round(performance.now() - startedAt);
  if (!png.ok) {
    ctx.deps.logger.warn({ code: png.error.code, chartMs }, png.error.message);
    await ctx.reply(ctx.t.admin.chart.notDrawn(png.error.code, png.error.message));
    return;
  }
  ctx.deps.logger.debug({ chartMs, bytes: png.value.length }, "chart drawn");
  await ctx.replyWithPhoto(new InputFile(png.value, "nexaloak-24h.png"), {
    caption: ctx.t.admin.chart.caption(title),
  });
}
