/**
 * Runs the Telegram Bot API emulator with its web chat page until Ctrl-C or
 * SIGTERM, for trying the bot locally without Telegram.
 *
 * Usage: npx tsx scripts/telegram-emulator/main.ts [--port 8081] [--token <token>]... [--flood-limits]
 *   --port          where to listen on 127.0.0.1; default $TELEGRAM_EMULATOR_PORT, else 8081; 0 takes a free port
 *   --token         a bot token to accept (repeatable); default any token shaped <digits>:<35+ characters>
 *   --flood-limits  answer 429 beyond Telegram's flood limits (1 message a second per chat, 30 overall)
 * Point the bot at it with TELEGRAM_API_ROOT=<the printed API root>.
 */
import { parseArgs } from "node:util";
import { createTelegramEmulator, TELEGRAM_FLOOD_LIMITS } from "./emulator.ts";

const DEFAULT_PORT = 8081;
/** Shown when no token is configured: any token of this shape works. */
const EXAMPLE_TOKEN = "1234567890:local-emulator-token-0123456789abcdef";

function fail(message: string): never {
  process.stderr.write(`telegram emulator: ${message}\n`);
  process.exit(2);
}

function readOptions(): { port: number; tokens: string[] | undefined; floodLimits: boolean } {
  let values: { port?: string; token?: string[]; "flood-limits"?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: "string" },
        token: { type: "string", multiple: true },
        "flood-limits": { type: "boolean" },
      },
    }));
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  const portText = values.port ?? process.env.TELEGRAM_EMULATOR_PORT ?? String(DEFAULT_PORT);
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) {
    fail(`the port must be a whole number from 0 to 65535, not ${JSON.stringify(portText)}`);
  }
  return { port, tokens: values.token, floodLimits: values["flood-limits"] === true };
}

const { port, tokens, floodLimits } = readOptions();
let emulator: Awaited<ReturnType<typeof createTelegramEmulator>>;
try {
  emulator = await createTelegramEmulator({
    port,
    ...(tokens === undefined ? {} : { tokens }),
    ...(floodLimits ? { floodLimits: TELEGRAM_FLOOD_LIMITS } : {}),
  });
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}
const token = tokens?.[0] ?? EXAMPLE_TOKEN;
process.stdout.write(
  [
    `Telegram emulator listening`,
    `  API root:  ${emulator.apiRoot}`,
    `  Web chat:  ${emulator.url}`,
    tokens === undefined
      ? `  Tokens:    any token shaped <digits>:<35+ characters>, e.g. ${token}`
      : `  Tokens:    ${tokens.length} accepted`,
    `Run the bot with TELEGRAM_API_ROOT=${emulator.apiRoot} BOT_TOKEN=${token}`,
    "",
  ].join("\n"),
);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    emulator.stop().then(() => process.exit(0));
  });
}
