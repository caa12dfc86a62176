import { test } from "uvu";
import * as assert from "uvu/assert";
import { formatLogLine } from "../../../scripts/lib/log-line-format.ts";

test("a JSON line becomes node, time of day, level, message and the interesting fields", () => {
  const raw = JSON.stringify({
    level: "info",
    time: "2026-11-21T11:03:06.281Z",
    nodeId: "n1",
    pid: 42,
    hostname: "vm",
    component: "raft",
    leaderId: "n3",
    term: 2,
    msg: "leader changed",
  });
  assert.is(formatLogLine("n1", raw), "n1 11:03:06.281 INFO  leader changed leaderId=n3 term=2");
});

test("structured fields are shown as JSON and long field lists are cut", () => {
  const raw = JSON.stringify({
    level: "warn",
    msg: "membership changed",
    confState: { voters: ["n1"] },
    padding: "x".repeat(400),
  });
  const formatted = formatLogLine("n2", raw);
  assert.ok(
    formatted.startsWith('n2 WARN  membership changed confState={"voters":["n1"]} padding=x'),
  );
  assert.ok(formatted.endsWith("..."));
  assert.ok(formatted.length < 220);
});

test("lines that are not JSON objects are shown as they are", () => {
  assert.is(formatLogLine("n3", "    at main (file.ts:1:1)"), "n3     at main (file.ts:1:1)");
  assert.is(formatLogLine("n3", "42"), "n3 42");
});

test.run();
