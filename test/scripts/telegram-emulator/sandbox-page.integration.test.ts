/**
 * The sandbox page in a real browser (Debian's Chromium, headless, driven
 * by playwright-core) on a phone-sized screen, against a running bot: a
 * person creates a user, starts the bot, presses the config button and gets
 * the `.conf` document and its QR code; one very long word keeps the page
 * within the screen's width. A screenshot of the chat is saved under the
 * system's temp folder, and its path printed.
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { withBotCluster } from "../../bot/support/bot-cluster.ts";

const CHROMIUM = "/usr/bin/chromium";
/** A narrow phone. */
const VIEWPORT = { width: 360, height: 740 };
const WAIT_MS = 15_000;

test("on a 360 px screen a user starts the bot, gets a config and its QR code, and a 4 000-letter word wraps", async () => {
  await withBotCluster(async (cluster) => {
    await cluster.polling();
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
    try {
      const page = await browser.newPage({ viewport: VIEWPORT });
      await page.goto(cluster.emulator.url);
      await page.fill('#new-user input[name="id"]', "4242");
      await page.fill('#new-user input[name="first_name"]', "Nika");
      await page.click('#new-user button[type="submit"]');
      await page.waitForSelector("#text:not([disabled])", { timeout: WAIT_MS });
      await page.fill("#text", "/start");
      await page.press("#text", "Enter");
      await page.click("text=Get a config", { timeout: WAIT_MS });
      const conf = page.locator('#messages a[download$=".conf"]');
      await conf.waitFor({ timeout: WAIT_MS });
      assert.match((await conf.textContent()) ?? "", /nexaloak-n\d-\d+\.conf/);
      const qrCode = page.locator('#messages img[alt="photo"]');
      await qrCode.waitFor({ timeout: WAIT_MS });
      // Page scripts are strings: this project's types describe Node, not the browser.
      await page.waitForFunction(
        `document.querySelector('#messages img[alt="photo"]').naturalWidth > 0`,
        undefined,
        { timeout: WAIT_MS },
      );

      // Creating the same id again opens that user and says so, and changes nothing.
      await page.fill('#new-user input[name="id"]', "4242");
      await page.fill('#new-user input[name="first_name"]', "Someone else");
      await page.click('#new-user button[type="submit"]');
      await page.waitForSelector("#new-user-info:has-text('exists already')", { timeout: WAIT_MS });
      assert.match((await page.textContent("#chat-title")) ?? "", /^Nika /);

      const word = `/config ${"a".repeat(4000)}`;
      await page.fill("#text", word);
      await page.press("#text", "Enter");
      await page.waitForFunction(
        `[...document.querySelectorAll("#messages .message.user")].some((message) => message.textContent.length >= 4000)`,
        undefined,
        { timeout: WAIT_MS },
      );
      await page.evaluate(`document.getElementById("messages").scrollTop = 1e9`);
      const widths = (await page.evaluate(`({
        page: document.documentElement.scrollWidth,
        messages: document.getElementById("messages").scrollWidth,
        input: document.getElementById("text").getBoundingClientRect().right,
      })`)) as { page: number; messages: number; input: number };
      assert.ok(widths.page <= VIEWPORT.width, `page ${widths.page} px wide`);
      assert.ok(widths.messages <= VIEWPORT.width, `chat ${widths.messages} px wide`);
      assert.ok(widths.input <= VIEWPORT.width, `input ends at ${widths.input} px`);

      const screenshot = join(tmpdir(), `nexaloak-sandbox-${Date.now()}.png`);
      await page.screenshot({ path: screenshot, fullPage: false });
      process.stdout.write(`  screenshot of the sandbox page: ${screenshot}\n`);
    } finally {
      await browser.close();
    }
  });
});

test.run();
