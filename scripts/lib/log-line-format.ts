/**
 * Turns a node's JSON log line into one short human line for a terminal:
 * `n1 11:03:06.281 INFO  leader changed  leaderId=n3 role=follower term=2`.
 */

/** Fields every line carries, or that the short form shows elsewhere. */
const OMITTED_FIELDS = new Set(["level", "time", "pid", "hostname", "nodeId", "msg", "component"]);
const LONGEST_FIELDS_TEXT = 160;

function fieldText(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * The short form of `raw`, one line from node `nodeId`. Lines that are not
 * JSON (a stack trace on stderr, say) are shown as they are.
 */
export function formatLogLine(nodeId: string, raw: string): string {
  let line: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      return `${nodeId} ${raw}`;
    }
    line = parsed as Record<string, unknown>;
  } catch {
    return `${nodeId} ${raw}`;
  }
  const time = typeof line.time === "string" ? line.time.slice(11, 23) : "";
  const level = String(line.level ?? "")
    .toUpperCase()
    .padEnd(5);
  const fields = Object.entries(line)
    .filter(([name]) => !OMITTED_FIELDS.has(name))
    .map(([name, value]) => `${name}=${fieldText(value)}`)
    .join(" ");
  const shortFields =
    fields.length > LONGEST_FIELDS_TEXT ? `${fields.slice(0, LONGEST_FIELDS_TEXT - 3)}...` : fields;
  const message = fieldText(line.msg ?? "");
  return [nodeId, time, level, message, shortFields].filter((part) => part !== "").join(" ");
}
