/**
 * Saves the charts the bot really sends: a three-node cluster on 127.0.0.1
 * with the bot behind the local Bot API emulator, users who each get a
 * config, then an admin's `/metrics` and `/server n1`; the photos the bot
 * sent are written as they arrived at the emulator. The fleet is minutes
 * old, so its 24-hour charts hold one hour of data (the made-up day in
 * chart-picture.ts shows a full one).
 *
 * Usage: npx tsx scripts/examples/bot-sent-charts.ts [--users 24] [--out docs]
 */
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { positiveInteger } from "../bench/cli-args.ts";
import { startLocalBotFleet } from "../lib/local-bot-fleet.ts";
import { createTelegramEmulator, type EmulatedUser } from "../telegram-emulator/emulator.ts";

const { values: args } = parseArgs({
  options: {
    users: { type: "string", default: "24" },
    out: { type: "string", default: "docs" },
  },
});
const userCount = positiveInteger("users", args.users);
const ADMIN_ID = 100;
const FIRST_USER_ID = 5001;
const WAIT_MS = 60_000;

/** Sends `command` as `admin` and waits for the chart photo whose caption matches `caption`. */
async function chartAfter(admin: EmulatedUser, command: string, caption: RegExp): Promise<Buffer> {
  const lastBefore = Math.max(0, ...admin.inbox().map((message) => message.messageId));
  admin.send(command);
  const message = await admin.waitFor(
    (candidate) =>
      candidate.photo !== undefined &&
      caption.test(candidate.caption ?? "") &&
      candidate.messageId > lastBefore,
    WAIT_MS,
  );
  return Buffer.from(message.photo!.bytes);
}

const emulator = await createTelegramEmulator({ firstUpdateId: Date.now() });
const token = `${7_100_000_002}:${randomBytes(20).toString("hex")}`;
try {
  const cluster = await startLocalBotFleet({
    token,
    emulator,
    timeoutMs: WAIT_MS,
    env: { ADMIN_IDS: String(ADMIN_ID) },
  });
  try {
    const users = Array.from({ length: userCount }, (_, n) =>
      emulator.user(FIRST_USER_ID + n, { first_name: `User${n}`, language_code: "en" }),
    );
    for (const user of users) {
      user.send("/config");
      await user.waitFor((message) => message.document !== undefined, WAIT_MS);
    }
    const admin = emulator.user(ADMIN_ID, { first_name: "Admin", language_code: "en" });
    admin.send("/start");
    await admin.waitFor((message) => message.text !== undefined, WAIT_MS);
    const charts = {
      "bot-sent-metrics-chart.png": await chartAfter(admin, "/metrics", /^Fleet, last 24 hours/),
      "bot-sent-server-chart.png": await chartAfter(admin, "/server n1", /^Server n1/),
    };
    for (const [name, bytes] of Object.entries(charts)) {
      const path = join(args.out, name);
      writeFileSync(path, bytes);
      process.stdout.write(`${path}: ${bytes.length} bytes, as the bot sent it\n`);
    }
  } finally {
    await cluster.stop();
  }
} finally {
  await emulator.stop();
}
