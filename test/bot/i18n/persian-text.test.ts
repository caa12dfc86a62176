/**
 * The Persian layout rules, character by character: Persian digits, Latin
 * runs isolated, every line opened right to left.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  isolate,
  ltr,
  persianDate,
  persianDigits,
  persianTime,
  rightToLeft,
  rightToLeftCatalog,
} from "../../../bot/i18n/persian-text.ts";

const RLM = "\u200F";
const LRI = "\u2066";
const FSI = "\u2068";
const PDI = "\u2069";

test("ASCII digits become Persian digits, and nothing else changes", () => {
  assert.is(persianDigits(1234567890), "۱۲۳۴۵۶۷۸۹۰");
  assert.is(persianDigits("3/10 کانفیگ"), "۳/۱۰ کانفیگ");
  assert.is(persianDigits("n"), "n");
});

test("a Latin run is isolated left to right, a name by its own first letter", () => {
  assert.is(ltr("/help"), `${LRI}/help${PDI}`);
  assert.is(isolate("Ali"), `${FSI}Ali${PDI}`);
});

test("every line of a right-to-left text opens with a right-to-left mark, once", () => {
  assert.is(rightToLeft("/help: راهنما\nسلام"), `${RLM}/help: راهنما\n${RLM}سلام`);
  assert.is(rightToLeft(`${RLM}سلام`), `${RLM}سلام`);
});

test("a catalog laid out right to left: strings, what functions return, nested catalogs", () => {
  const laidOut = rightToLeftCatalog({
    plain: "سلام",
    counted: (count: number) => `${persianDigits(count)} کانفیگ`,
    nested: { line: "الف\nب" },
  });
  assert.is(laidOut.plain, `${RLM}سلام`);
  assert.is(laidOut.counted(3), `${RLM}۳ کانفیگ`);
  assert.is(laidOut.nested.line, `${RLM}الف\n${RLM}ب`);
});

test("dates are Solar Hijri in Persian digits, times add the hour in UTC", () => {
  const sixthOfDecember2026 = Date.UTC(2026, 11, 6, 5, 49);
  assert.is(persianDate(sixthOfDecember2026), "۱۴۰۵/۰۹/۱۵");
  assert.is(persianDate(Date.UTC(2026, 2, 21)), "۱۴۰۵/۰۱/۰۱", "Nowruz opens the year");
  assert.is(persianTime(sixthOfDecember2026), `۱۴۰۵/۰۹/۱۵ ۰۵:۴۹ ${LRI}UTC${PDI}`);
});

test.run();
