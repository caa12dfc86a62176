import { type ChildProcess, spawn } from "node:child_process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { sleep } from "../../../shared/sleep.ts";
import { TOKEN } from "./support/emulator-fixture.ts";

const START_TIMEOUT_MS = 20_000;
const EXIT_TIMEOUT_MS = 10_000;

interface Run {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

function runMain(args: string[], env: Record<string, string> = {}): Run {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "scripts/telegram-emulator/main.ts", ...args],
    {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...env },
    },
  );
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** Waits for the process to exit, killing it (by its own pid) if it outlives `timeoutMs`. */
async function exitCode(run: Run, timeoutMs: number): Promise<number | null> {
  const timer = setTimeout(() => run.child.kill("SIGKILL"), timeoutMs);
  try {
    return await run.exited;
  } finally {
    clearTimeout(timer);
  }
}

async function printedApiRoot(run: Run): Promise<string> {
  const deadline = performance.now() + START_TIMEOUT_MS;
  while (performance.now() < deadline) {
    const match = /API root:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(run.output());
    if (match?.[1]) return match[1];
    if (run.child.exitCode !== null) break;
    await sleep(20);
  }
  throw new Error(`the emulator printed no API root:\n${run.output()}`);
}

test("main serves the Bot API and the web page on the printed root and stops on SIGTERM", async () => {
  const run = runMain(["--port", "0", "--token", TOKEN]);
  try {
    const apiRoot = await printedApiRoot(run);
    assert.match(run.output(), `TELEGRAM_API_ROOT=${apiRoot} BOT_TOKEN=${TOKEN}`);
    const getMe = await fetch(`${apiRoot}/bot${TOKEN}/getMe`, {
      signal: AbortSignal.timeout(5000),
    });
    assert.is(getMe.status, 200);
    const page = await fetch(`${apiRoot}/`, { signal: AbortSignal.timeout(5000) });
    assert.is(page.status, 200);
  } finally {
    run.child.kill("SIGTERM");
  }
  assert.is(await exitCode(run, EXIT_TIMEOUT_MS), 0);
});

test("main refuses a port that is not a number, naming it", async () => {
  const run = runMain([], { TELEGRAM_EMULATOR_PORT: "eighty" });
  assert.is(await exitCode(run, START_TIMEOUT_MS), 2);
  assert.match(run.output(), 'the port must be a whole number from 0 to 65535, not "eighty"');
});

test.run();
