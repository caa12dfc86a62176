/**
 * The rule every node id follows, in NODE_ID and in PEERS alike. Ids appear in
 * Redis key prefixes, metric labels and log lines, so they stay short and plain.
 */
const nodeIdPattern = /^[a-z0-9][a-z0-9-]{0,31}$/;

/** What a valid node id looks like, for error messages. */
export const nodeIdRule = "1-32 characters from a-z, 0-9 and '-', not starting with '-'";

/** Whether `text` is a valid node id (see {@link nodeIdRule}). */
export function isValidNodeId(text: string): boolean {
  return nodeIdPattern.test(text);
}
