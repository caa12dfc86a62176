import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createLogger } from "../../shared/logger.ts";

function capture(level: string, nodeId?: string) {
  const lines: string[] = [];
  const logger = createLogger({
    level,
    nodeId,
    destination: { write: (line) => lines.push(line) },
  });
  const records = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines, records };
}

test("each record is one JSON line with an ISO time, the level as a word, nodeId and the message", () => {
  const { logger, lines, records } = capture("info", "n1");
  logger.info({ term: 3 }, "became leader");
  assert.is(lines.length, 1);
  assert.ok(lines[0]?.endsWith("\n"));
  const [record] = records();
  assert.is(record?.level, "info");
  assert.is(record?.nodeId, "n1");
  assert.is(record?.msg, "became leader");
  assert.is(record?.term, 3);
  assert.match(String(record?.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
});

test("child loggers keep nodeId and add their own fields", () => {
  const { logger, records } = capture("info", "n2");
  logger.child({ peer: "n3" }).warn("peer unreachable");
  assert.equal(
    records().map(({ nodeId, peer, level }) => ({ nodeId, peer, level })),
    [{ nodeId: "n2", peer: "n3", level: "warn" }],
  );
});

test("records below the level are dropped", () => {
  const { logger, records } = capture("warn");
  logger.info("quiet");
  logger.debug("quieter");
  logger.error("loud");
  assert.equal(
    records().map((record) => record.msg),
    ["loud"],
  );
});

test("silent writes nothing", () => {
  const { logger, lines } = capture("silent");
  logger.fatal("nobody hears this");
  assert.is(lines.length, 0);
});

test("secret fields are redacted, at the top level and one level down", () => {
  const { logger, lines } = capture("info");
  logger.info(
    { clusterSecret: "hunter2-a", config: { adminApiToken: "hunter2-b", nodeId: "n1" } },
    "start",
  );
  logger.info({ botToken: "hunter2-c" }, "bot");
  assert.not.match(lines.join(""), /hunter2/);
  assert.match(lines[0] ?? "", /"clusterSecret":"\[redacted\]"/);
  assert.match(lines[0] ?? "", /"adminApiToken":"\[redacted\]","nodeId":"n1"/);
});

test("by default records go to standard output", () => {
  const loggerUrl = new URL("../../shared/logger.ts", import.meta.url).href;
  const program = `import { createLogger } from ${JSON.stringify(loggerUrl)};
createLogger({ level: "info", nodeId: "n5" }).info("to stdout");`;
  const child = spawnSync(
    process.execPath,
    ["--import", import.meta.resolve("tsx"), "--input-type=module", "--eval", program],
    { cwd: fileURLToPath(new URL(".", import.meta.url)), encoding: "utf8", timeout: 30_000 },
  );
  assert.is(child.status, 0, child.stderr);
  assert.is(child.stderr, "");
  const record = JSON.parse(child.stdout) as Record<string, unknown>;
  assert.is(record.nodeId, "n5");
  assert.is(record.msg, "to stdout");
});

test("a logged error keeps its type, code, message and stack, and never its context or a credential", () => {
  const { logger, lines } = capture("info");
  const token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0";
  const failure = Object.assign(new Error(`Call to 'sendMessage' failed on bot${token}`), {
    code: 400,
    ctx: { api: { token }, message: { text: "/probes add thr1 https://x probe-token-secret" } },
  });
  logger.warn({ err: failure }, "an update was not handled");
  logger.warn({ err: `Bearer abcdef0123456789 was refused for ${token}` }, "as text too");
  const [record, text] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  const err = record?.err as Record<string, unknown>;
  assert.is(err.type, "Error");
  assert.is(err.code, 400);
  assert.match(String(err.message), /^Call to 'sendMessage' failed on bot\[redacted\]$/);
  assert.is(err.ctx, undefined, "the context is not logged");
  assert.is(text?.err, "Bearer [redacted] was refused for [redacted]");
  for (const line of lines) {
    assert.not.ok(line.includes(token), line);
    assert.not.ok(line.includes("probe-token-secret"), line);
    assert.not.ok(line.includes("abcdef0123456789"), line);
  }
});

test.run();
