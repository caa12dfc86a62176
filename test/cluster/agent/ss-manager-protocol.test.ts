import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  addCommand,
  parseCommandAnswer,
  parseListAnswer,
  parseStatAnswer,
  removeCommand,
} from "../../../cluster/agent/ss-manager-protocol.ts";

test("add and remove are ss-manager's `command: JSON` datagrams, the password JSON-escaped", () => {
  assert.is(
    addCommand({ port: 20000, password: 'a"b\\c+/=', method: "aes-256-gcm" }),
    'add: {"server_port":20000,"password":"a\\"b\\\\c+/=","method":"aes-256-gcm"}',
  );
  assert.is(removeCommand(20000), 'remove: {"server_port":20000}');
});

test("ok is success; err and port is not available are refusals; anything else is unreadable", () => {
  assert.equal(parseCommandAnswer("ok"), { ok: true, value: undefined });
  assert.equal(parseCommandAnswer("ok\n"), { ok: true, value: undefined });
  for (const refusal of ["err", "port is not available"]) {
    const answer = parseCommandAnswer(refusal);
    assert.is(answer.ok ? "" : answer.error.code, "SS_MANAGER_REFUSED", refusal);
  }
  for (const odd of ["", "OK!", "stat: {}", "x".repeat(10_000)]) {
    const answer = parseCommandAnswer(odd);
    assert.is(answer.ok ? "" : answer.error.code, "SS_MANAGER_ANSWER_UNREADABLE");
    assert.ok(answer.ok || answer.error.message.length < 300, "a long answer is shortened");
  }
});

test("stat answers give each port's relayed bytes, by port", () => {
  assert.equal(parseStatAnswer('stat: {"20001":1250,"20000":0}'), {
    ok: true,
    value: [
      { port: 20000, bytes: 0 },
      { port: 20001, bytes: 1250 },
    ],
  });
  assert.equal(parseStatAnswer("stat: {}"), { ok: true, value: [] });
});

test("a stat answer with a bad port or count is unreadable as a whole", () => {
  for (const bad of [
    "stat: ",
    "stat: []",
    "stat: null",
    'stat: {"0":1}',
    'stat: {"70000":1}',
    'stat: {"20000":-1}',
    'stat: {"20000":"12"}',
    'stat: {"port":1}',
    'stat: {"20000":1',
    "ok",
  ]) {
    const answer = parseStatAnswer(bad);
    assert.is(answer.ok ? "" : answer.error.code, "SS_MANAGER_ANSWER_UNREADABLE", bad);
  }
});

test("list answers give the served ports with password and cipher, by port", () => {
  const answer = parseListAnswer(
    '[\n\t{"server_port":"20001","password":"pw2","method":"aes-256-gcm"},\n\t{"server_port":"20000","password":"pw1","method":"chacha20-ietf-poly1305"}\n]',
  );
  assert.equal(answer, {
    ok: true,
    value: [
      { port: 20000, password: "pw1", method: "chacha20-ietf-poly1305" },
      { port: 20001, password: "pw2", method: "aes-256-gcm" },
    ],
  });
  assert.equal(parseListAnswer("[\n]"), { ok: true, value: [] });
  for (const bad of [
    "",
    "{}",
    "[1]",
    '[{"server_port":"x","password":"p","method":"m"}]',
    '[{"server_port":"1"}]',
  ]) {
    const parsed = parseListAnswer(bad);
    assert.is(parsed.ok ? "" : parsed.error.code, "SS_MANAGER_ANSWER_UNREADABLE", bad);
  }
});

test("property: no answer whatever makes a parser throw", () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string(),
        fc.json().map((json) => `stat: ${json}`),
        fc.json(),
      ),
      (answer) => {
        parseCommandAnswer(answer);
        parseStatAnswer(answer);
        parseListAnswer(answer);
      },
    ),
    { numRuns: 2000 },
  );
});

test.run();
