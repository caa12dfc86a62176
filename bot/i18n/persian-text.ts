/**
 * How Persian texts are written so Telegram lays them out right to left:
 * Persian digits, Latin runs (commands, server ids, links) isolated so they
 * keep their own order inside the sentence, and every line opened with a
 * right-to-left mark so a line that begins with a Latin run is not laid out
 * left to right. Pure: the Persian catalog calls these for every value it
 * shows.
 */

/** RIGHT-TO-LEFT MARK: makes the paragraph that starts with it right to left. */
export const RLM = "\u200F";
/** LEFT-TO-RIGHT ISOLATE ... POP DIRECTIONAL ISOLATE: a Latin run inside Persian text. */
const LRI = "\u2066";
/** FIRST STRONG ISOLATE: a run whose direction is its own first letter's (a name, a region). */
const FSI = "\u2068";
const PDI = "\u2069";

const PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹";

/** `text` with its ASCII digits written as Persian digits (۰-۹). */
export function persianDigits(text: string | number): string {
  return String(text).replace(/[0-9]/g, (digit) => PERSIAN_DIGITS[Number(digit)]!);
}

/** A left-to-right run (a command, a server id, a link) that keeps its order inside Persian text. */
export function ltr(text: string): string {
  return `${LRI}${text}${PDI}`;
}

/** A run of either direction (a user's name, a region): laid out by its own first letter. */
export function isolate(text: string): string {
  return `${FSI}${text}${PDI}`;
}

/** `text` with every line opened by a right-to-left mark. */
export function rightToLeft(text: string): string {
  return text
    .split("\n")
    .map((line) => (line.startsWith(RLM) ? line : `${RLM}${line}`))
    .join("\n");
}

/**
 * A catalog of texts with every text laid out right to left (see
 * {@link rightToLeft}): strings, the strings functions return, and nested
 * catalogs alike.
 */
export function rightToLeftCatalog<Catalog extends object>(catalog: Catalog): Catalog {
  const laidOut: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(catalog)) laidOut[key] = rightToLeftValue(value);
  return laidOut as Catalog;
}

function rightToLeftValue(value: unknown): unknown {
  if (typeof value === "string") return rightToLeft(value);
  // Lists (units, button rows) stay lists.
  if (Array.isArray(value)) return value.map(rightToLeftValue);
  if (typeof value === "function") return (...args: unknown[]) => rightToLeftValue(value(...args));
  if (value !== null && typeof value === "object") return rightToLeftCatalog(value);
  return value;
}

const solarHijriDate = new Intl.DateTimeFormat("fa-IR-u-ca-persian-nu-arabext", {
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  timeZone: "UTC",
});

/** A date in the Solar Hijri calendar Iran uses, in Persian digits: ۱۴۰۵/۰۹/۱۵ (UTC). */
export function persianDate(epochMs: number): string {
  return solarHijriDate.format(epochMs);
}

/** A date and time: ۱۴۰۵/۰۹/۱۵ ۰۵:۴۹ UTC. */
export function persianTime(epochMs: number): string {
  const time = new Date(epochMs).toISOString().slice(11, 16);
  return `${persianDate(epochMs)} ${persianDigits(time)} ${ltr("UTC")}`;
}
