import type { Entry, EntryType } from "../raft/types.ts";

/**
 * How one log entry is stored as a Redis string: `<index>:<term>:<type>:<data>`
 * with type `n` (normal) or `c` (confChange), for example `42:3:n:{"op":"ban"}`.
 *
 * Plain text rather than JSON because loading parses every entry of the log
 * at start (100 000 entries must load in well under a second) and the Lua
 * scripts read an entry's index and term with one pattern match. The data
 * comes last, so it may contain any character. The index is stored although
 * the position in the list implies it: load checks the two agree.
 */
export function encodeEntry(entry: Entry): string {
  return `${entry.index}:${entry.term}:${TYPE_CODES[entry.type]}:${entry.data}`;
}

/** The entry an encoded string holds, or null if the string is not one {@link encodeEntry} makes. */
export function decodeEntry(encoded: string): Entry | null {
  const termStart = encoded.indexOf(":") + 1;
  const typeStart = encoded.indexOf(":", termStart) + 1;
  if (termStart === 0 || typeStart === 0 || encoded.charCodeAt(typeStart + 1) !== COLON) {
    return null;
  }
  const index = parseCount(encoded.slice(0, termStart - 1));
  const term = parseCount(encoded.slice(termStart, typeStart - 1));
  const type = ENTRY_TYPES_BY_CODE[encoded.charAt(typeStart)];
  if (index === null || term === null || type === undefined) return null;
  return { index, term, type, data: encoded.slice(typeStart + 2) };
}

/** A non-negative safe integer written in decimal digits only, or null. */
export function parseCount(text: string): number | null {
  if (!DIGITS.test(text)) return null;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : null;
}

const COLON = ":".charCodeAt(0);
const DIGITS = /^\d+$/;
const TYPE_CODES: Record<EntryType, string> = { normal: "n", confChange: "c" };
const ENTRY_TYPES_BY_CODE: Record<string, EntryType | undefined> = { n: "normal", c: "confChange" };
