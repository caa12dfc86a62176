import type { NodeId } from "./raft/types.ts";
import { UNSTAMPED_STATE_VERSION } from "./state-machine.ts";

/**
 * What a node stores in a Raft snapshot: the member URLs (which the compacted
 * log no longer holds), the state version of the newest command it holds, and
 * the state machine's own serialisation, kept as is rather than escaped
 * inside another JSON string (it can be tens of MB).
 *
 * Layout: a header line, a JSON line with the members, then the state. A
 * state version above 1 is written into the header line
 * (`nexaloak-snapshot/1 state-version=2`), so that a snapshot of version 1
 * reads the same on every release.
 */
const HEADER = "nexaloak-snapshot/1";
const VERSION_MARK = " state-version=";

export interface NodeSnapshot {
  members: Record<NodeId, string>;
  state: string;
  /** The state version of the newest command it holds. */
  stateVersion: number;
}

export function encodeNodeSnapshot(snapshot: NodeSnapshot): string {
  const version = snapshot.stateVersion;
  const header = version > UNSTAMPED_STATE_VERSION ? `${HEADER}${VERSION_MARK}${version}` : HEADER;
  return `${header}\n${JSON.stringify(snapshot.members)}\n${snapshot.state}`;
}

/** Decodes a snapshot written by encodeNodeSnapshot; throws on anything else (corrupt storage). */
export function decodeNodeSnapshot(data: string): NodeSnapshot {
  const firstBreak = data.indexOf("\n");
  const secondBreak = data.indexOf("\n", firstBreak + 1);
  const header = firstBreak < 0 ? "" : data.slice(0, firstBreak);
  const version = header === HEADER ? UNSTAMPED_STATE_VERSION : versionInHeader(header);
  if (secondBreak < 0 || version === undefined) throw new Error(`not a ${HEADER} snapshot`);
  const members = JSON.parse(data.slice(firstBreak + 1, secondBreak)) as Record<NodeId, string>;
  return { members, state: data.slice(secondBreak + 1), stateVersion: version };
}

function versionInHeader(header: string): number | undefined {
  if (!header.startsWith(HEADER + VERSION_MARK)) return undefined;
  const digits = header.slice(HEADER.length + VERSION_MARK.length);
  if (!/^[1-9]\d{0,6}$/.test(digits)) return undefined;
  return Number(digits);
}
