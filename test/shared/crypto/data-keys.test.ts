import { test } from "uvu";
import * as assert from "uvu/assert";
import { formatDataKeys, parseDataKeys } from "../../../shared/crypto/data-keys.ts";

const secretA = "a".repeat(64);
const secretB = "b".repeat(64);

test("DATA_KEYS lists id:secret pairs, the sealing key first", () => {
  const parsed = parseDataKeys(`k2:${secretB}, k1:${secretA}`);
  assert.equal(parsed, {
    ok: true,
    value: [
      { id: "k2", secret: secretB },
      { id: "k1", secret: secretA },
    ],
  });
  assert.is(formatDataKeys(parsed.ok ? parsed.value : []), `k2:${secretB},k1:${secretA}`);
});

test("a secret may contain colons; the id ends at the first", () => {
  const parsed = parseDataKeys(`k1:${secretA}:more`);
  assert.ok(parsed.ok && parsed.value[0]!.secret === `${secretA}:more`);
});

test("bad lists are refused with a reason, and never echo a secret", () => {
  const cases: [string, RegExp][] = [
    ["", /<id>:<secret>/],
    [secretA, /<id>:<secret>/],
    [`K1:${secretA}`, /<id>:<secret>/],
    [`k1:short`, /at least 32 characters/],
    [`k1:${secretA},k1:${secretB}`, /listed twice/],
    [`k1:${secretA},k2:${secretA}`, /same secret/],
    [`k1:${secretA},`, /<id>:<secret>/],
    [`a-very-long-key-id-x:${secretA}`, /<id>:<secret>/],
  ];
  for (const [text, reason] of cases) {
    const parsed = parseDataKeys(text);
    assert.ok(!parsed.ok, text);
    assert.is(parsed.error.code, "INVALID_DATA_KEYS");
    assert.match(parsed.error.message, reason);
    assert.not.ok(parsed.error.message.includes(secretA), "no secret in the message");
  }
});

test.run();
