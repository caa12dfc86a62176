import type { NodeId } from "./raft/types.ts";

/**
 * What a node stores in a Raft snapshot: the member URLs (which the compacted
 * log no longer holds) and the state machine's own serialisation, kept as is
 * rather than escaped inside another JSON string (it can be tens of MB).
 *
 * Layout: a header line, a JSON line with the members, then the state.
 */
const HEADER = "nexaloak-snapshot/1";

export interface NodeSnapshot {
  members: Record<NodeId, string>;
  state: string;
}

export function encodeNodeSnapshot(snapshot: NodeSnapshot): string {
  return `${HEADER}\n${JSON.stringify(snapshot.members)}\n${snapshot.state}`;
}

/** Decodes a snapshot written by encodeNodeSnapshot; throws on anything else (corrupt storage). */
export function decodeNodeSnapshot(data: string): NodeSnapshot {
  const firstBreak = data.indexOf("\n");
  const secondBreak = data.indexOf("\n", firstBreak + 1);
  if (firstBreak < 0 || secondBreak < 0 || data.slice(0, firstBreak) !== HEADER) {
    throw new Error(`not a ${HEADER} snapshot`);
  }
  const members = JSON.parse(data.slice(firstBreak + 1, secondBreak)) as Record<NodeId, string>;
  return { members, state: data.slice(secondBreak + 1) };
}
