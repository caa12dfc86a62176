/**
 * How a command travels in a log entry: wrapped with the id of the request
 * that proposed it, so the proposing node (leader or follower) can hand the
 * apply result back to the waiting caller when the entry is applied; the
 * state version of the node that proposed it (state-machine.ts), so that no
 * node applies a command of a later version than its own; and, for a
 * proposal a peer forwarded to the leader, that peer's authenticated id,
 * stamped by the leader (see fsm/proposer-authority.ts).
 */
import type { NodeId } from "./raft/types.ts";
import { UNSTAMPED_STATE_VERSION } from "./state-machine.ts";

export interface ProposalEnvelope {
  requestId: string;
  command: string;
  /** The proposer's state version; absent in entries written before versions were stamped (version 1). */
  stateVersion?: number;
  /** The peer that forwarded this proposal to the leader; absent when the leader proposed it. */
  forwardedBy?: NodeId;
}

export function encodeEnvelope(envelope: ProposalEnvelope): string {
  const fields: { r: string; c: string; v?: number; f?: NodeId } = {
    r: envelope.requestId,
    c: envelope.command,
  };
  if (envelope.stateVersion !== undefined) fields.v = envelope.stateVersion;
  if (envelope.forwardedBy !== undefined) fields.f = envelope.forwardedBy;
  return JSON.stringify(fields);
}

/** Decodes an entry's data; undefined for anything that is not an envelope (e.g. the leader's no-op). */
export function decodeEnvelope(data: string): ProposalEnvelope | undefined {
  if (data === "") return undefined;
  try {
    const parsed = JSON.parse(data) as { r?: unknown; c?: unknown; v?: unknown; f?: unknown };
    if (typeof parsed.r !== "string" || typeof parsed.c !== "string") return undefined;
    if (parsed.f !== undefined && typeof parsed.f !== "string") return undefined;
    if (parsed.v !== undefined && !(Number.isSafeInteger(parsed.v) && (parsed.v as number) >= 1))
      return undefined;
    const envelope: ProposalEnvelope = { requestId: parsed.r, command: parsed.c };
    if (parsed.v !== undefined) envelope.stateVersion = parsed.v as number;
    if (parsed.f !== undefined) envelope.forwardedBy = parsed.f;
    return envelope;
  } catch {
    return undefined;
  }
}

/** The state version an envelope's command was written for. */
export function stateVersionOf(envelope: ProposalEnvelope): number {
  return envelope.stateVersion ?? UNSTAMPED_STATE_VERSION;
}

/**
 * The data of an entry `peerId` forwarded, stamped with `peerId` whatever the
 * peer claimed; data that is not an envelope is left alone (apply skips it).
 * Undefined, to drop it, when the peer claims a later state version than the
 * leader's own (`leaderVersion`): the leader cannot vouch for what such a
 * command means, and a seized peer must not be able to stop every member by
 * claiming one (a member stops rather than apply a later version's entry).
 */
export function stampForwarded(
  data: string,
  peerId: NodeId,
  leaderVersion: number,
): string | undefined {
  const envelope = decodeEnvelope(data);
  if (!envelope) return data;
  if (stateVersionOf(envelope) > leaderVersion) return undefined;
  return encodeEnvelope({ ...envelope, forwardedBy: peerId });
}
