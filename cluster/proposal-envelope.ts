/**
 * How a command travels in a log entry: wrapped with the id of the request
 * that proposed it, so the proposing node (leader or follower) can hand the
 * apply result back to the waiting caller when the entry is applied.
 */
export interface ProposalEnvelope {
  requestId: string;
  command: string;
}

export function encodeEnvelope(envelope: ProposalEnvelope): string {
  return JSON.stringify({ r: envelope.requestId, c: envelope.command });
}

/** Decodes an entry's data; undefined for anything that is not an envelope (e.g. the leader's no-op). */
export function decodeEnvelope(data: string): ProposalEnvelope | undefined {
  if (data === "") return undefined;
  try {
    const parsed = JSON.parse(data) as { r?: unknown; c?: unknown };
    if (typeof parsed.r !== "string" || typeof parsed.c !== "string") return undefined;
    return { requestId: parsed.r, command: parsed.c };
  } catch {
    return undefined;
  }
}
