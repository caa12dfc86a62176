/**
 * Membership changes as they travel inside log entries. Entries come from
 * peers, so reading one never throws: data that is not a well-formed change
 * gives undefined, and the leader refuses to append it.
 */
import type { ConfChange } from "./types.ts";

const CHANGE_TYPES: ReadonlySet<string> = new Set(["addLearner", "addVoter", "removeNode"]);
/** As long as a node id may be on the wire (see transport/raft-message-schema.ts). */
const MAX_NODE_ID_LENGTH = 128;
const MAX_CONTEXT_LENGTH = 2048;

export function encodeConfChange(change: ConfChange): string {
  return JSON.stringify(change);
}

/** The change in `data`, or undefined when `data` is not one. */
export function decodeConfChange(data: string): ConfChange | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null) return undefined;
  const { type, nodeId, context } = parsed as Record<string, unknown>;
  if (typeof type !== "string" || !CHANGE_TYPES.has(type)) return undefined;
  if (typeof nodeId !== "string" || nodeId.length === 0 || nodeId.length > MAX_NODE_ID_LENGTH)
    return undefined;
  if (context !== undefined && (typeof context !== "string" || context.length > MAX_CONTEXT_LENGTH))
    return undefined;
  const change: ConfChange = { type: type as ConfChange["type"], nodeId };
  if (context !== undefined) change.context = context;
  return change;
}
