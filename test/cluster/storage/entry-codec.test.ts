import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Entry } from "../../../cluster/raft/types.ts";
import { decodeEntry, encodeEntry, parseCount } from "../../../cluster/storage/entry-codec.ts";

test("an entry encodes as index:term:type:data", () => {
  assert.is(
    encodeEntry({ index: 42, term: 3, type: "normal", data: '{"op":"ban"}' }),
    '42:3:n:{"op":"ban"}',
  );
  assert.is(encodeEntry({ index: 1, term: 1, type: "confChange", data: "" }), "1:1:c:");
});

test("every entry decodes back to itself, whatever its data holds", () => {
  const entries: Entry[] = [
    { index: 1, term: 1, type: "normal", data: "" },
    { index: 2, term: 7, type: "confChange", data: '{"type":"addLearner","nodeId":"n9"}' },
    { index: 9_007_199_254_740_991, term: 12, type: "normal", data: "a:b:c:\n\r\u0000é🛰" },
  ];
  for (const entry of entries) assert.equal(decodeEntry(encodeEntry(entry)), entry);
});

test("a string the encoder would not make decodes to null", () => {
  for (const encoded of [
    "",
    "1",
    "1:2",
    "1:2:n",
    "1:2:x:data",
    "a:2:n:data",
    "1:-2:n:",
    "1:2:nn",
    "99999999999999999999:1:n:",
  ]) {
    assert.is(decodeEntry(encoded), null, JSON.stringify(encoded));
  }
});

test("parseCount accepts only non-negative safe integers in digits", () => {
  assert.is(parseCount("0"), 0);
  assert.is(parseCount("123"), 123);
  for (const text of ["", "-1", "1.5", "1e3", " 1", "0x10", "9007199254740993"]) {
    assert.is(parseCount(text), null, text);
  }
});

test.run();
