/**
 * What a follower answers to an admin write. Admin commands are proposed by
 * the leader's own process only: a proposal a follower forwards is limited to
 * reports about its own server (fsm/proposer-authority.ts), so that a seized
 * follower cannot act as the admin. Instead of forwarding, a follower names
 * the leader and where its admin API is, and the client sends the request
 * there itself. Not a redirect: clients drop the Authorization header on a
 * redirect to another origin, and the request's body must have no effect here.
 */
import type { NodeStatus } from "../node.ts";
import { adminApiBaseUrl } from "../transport/peer-url.ts";
import type { ApiResponse } from "./router.ts";

/** The error body of a NOT_LEADER answer: the usual code and message, and where to go. */
export interface NotLeaderError {
  code: "NOT_LEADER";
  message: string;
  /** The leader this node knows; null while none is known. */
  leaderId: string | null;
  /** The base URL of the leader's admin API (`http://10.0.0.1:7001`); null when not known. */
  leaderUrl: string | null;
}

/**
 * The answer to a leader-only request on a node in state `status`:
 * undefined on the leader; 421 Misdirected Request naming the leader when
 * one is known; 503 with Retry-After while none is.
 */
export function notLeaderAnswer(status: NodeStatus): ApiResponse | undefined {
  if (status.role === "leader") return undefined;
  if (status.leaderId === null) {
    const error: NotLeaderError = {
      code: "NOT_LEADER",
      message: "this node does not lead and knows no leader yet; retry shortly",
      leaderId: null,
      leaderUrl: null,
    };
    return { status: 503, body: { error }, headers: { "Retry-After": "1" } };
  }
  const leaderId = status.leaderId;
  const peerUrl = status.members.find((member) => member.id === leaderId)?.url;
  const leaderUrl = peerUrl === undefined ? undefined : adminApiBaseUrl(peerUrl);
  const error: NotLeaderError = {
    code: "NOT_LEADER",
    message: `writes go to the leader, ${leaderId}${leaderUrl ? ` at ${leaderUrl}` : ""}; send the same request there`,
    leaderId,
    leaderUrl: leaderUrl ?? null,
  };
  return { status: 421, body: { error } };
}
