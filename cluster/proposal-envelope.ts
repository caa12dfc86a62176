/**
 * How a command travels in a log entry: wrapped with the id of the request
 * that proposed it, so the proposing node (leader or follower) can hand the
 * apply result back to the waiting caller when the entry is applied; and,
 * for a proposal a peer forwarded to the leader, that peer's authenticated
 * id, stamped by the leader (see fsm/proposer-authority.ts).
 */
import type { NodeId } from "./raft/types.ts";

export interface ProposalEnvelope {
  requestId: string;
  command: string;
  /** The peer that forwarded this proposal to the leader; absent when the leader proposed it. */
  forwardedBy?: NodeId;
}

export function encodeEnvelope(envelope: ProposalEnvelope): string {
  return JSON.stringify(
    envelope.forwardedBy === undefined
      ? { r: envelope.requestId, c: envelope.command }
      : { r: envelope.requestId, c: envelope.command, f: envelope.forwardedBy },
  );
}

/** Decodes an entry's data; undefined for anything that is not an envelope (e.g. the leader's no-op). */
export function decodeEnvelope(data: string): ProposalEnvelope | undefined {
  if (data === "") return undefined;
  try {
    const parsed = JSON.parse(data) as { r?: unknown; c?: unknown; f?: unknown };
    if (typeof parsed.r !== "string" || typeof parsed.c !== "string") return undefined;
    if (parsed.f !== undefined && typeof parsed.f !== "string") return undefined;
    return parsed.f === undefined
      ? { requestId: parsed.r, command: parsed.c }
      : { requestId: parsed.r, command: parsed.c, forwardedBy: parsed.f };
  } catch {
    return undefined;
  }
}

/**
 * The data of an entry `peerId` forwarded, stamped with `peerId` whatever the
 * peer claimed; data that is not an envelope is left alone (apply skips it).
 */
export function stampForwarded(data: string, peerId: NodeId): string {
  const envelope = decodeEnvelope(data);
  return envelope ? encodeEnvelope({ ...envelope, forwardedBy: peerId }) : data;
}
