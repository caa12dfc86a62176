import { test } from "uvu";
import * as assert from "uvu/assert";
import { quote } from "../../shared/quote.ts";

test("quote wraps text in double quotes and escapes what would break a line", () => {
  assert.is(quote("n1"), '"n1"');
  assert.is(quote('a"b\nc'), '"a\\"b\\nc"');
});

test("quote shortens long text and marks the cut", () => {
  assert.is(quote("x".repeat(61)), `"${"x".repeat(60)}..."`);
  assert.is(quote("x".repeat(60)), `"${"x".repeat(60)}"`);
  assert.is(quote("abcdef", 3), '"abc..."');
});

test.run();
