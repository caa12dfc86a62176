/**
 * The join exchange between a new node and the cluster's leader, over the
 * node's one HTTP port (`POST /cluster/join`). It is safe on a watched and
 * tampered network without TLS:
 *
 * - the request carries the token's signature over the claim (node id,
 *   identity key, peer URL, answer key) and the identity key's own
 *   signature, never the token's secret: replaying it admits only that
 *   identity key, which the replayer does not hold;
 * - the answer is signed by the answering member's identity key, which the
 *   new node checks against the keys the token named (or a vouched leader's);
 * - the cluster's credentials in the answer are sealed to a one-time X25519
 *   key the new node made for this exchange (shared/crypto/wireguard-sealed-box.ts);
 * - a member that does not lead names the leader in a vouch it signs, bound
 *   to this request: the leader may be a member that joined after the token
 *   was made, whose key the token cannot name.
 */
import { z } from "zod";
import { isValidNodeId } from "../../shared/node-id.ts";
import { isNodePublicKey, verifyNodeSignature } from "../identity/node-public-key.ts";
import type { JoinClaim, TokenMember } from "./join-token.ts";

export const JOIN_PATH = "/cluster/join";

const signature = z.string().regex(/^[A-Za-z0-9_-]{86}$/);
const nodeId = z.string().refine(isValidNodeId);
const nodeKey = z.string().refine(isNodePublicKey);
const peerUrl = z
  .string()
  .max(300)
  .regex(/^wss?:\/\/[^\s/?#]+$/);

export const joinRequestSchema = z.strictObject({
  nodeId,
  identityKey: nodeKey,
  peerUrl,
  boxKey: z.string().regex(/^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/),
  tokenSignature: signature,
  identitySignature: signature,
  /** The joiner's state version (fsm/state-version.ts); absent from joiners before versions: 1. */
  stateVersion: z.int().min(1).max(1_000_000).optional(),
});
export type JoinRequest = z.infer<typeof joinRequestSchema>;

/** The members as the answer lists them: id, peer URL, pinned identity key. */
const memberRow = z.tuple([nodeId, peerUrl, nodeKey]);

export const joinAnswerSchema = z.strictObject({
  nodeId,
  region: z.string().max(32).nullable(),
  capacity: z.int().positive().nullable(),
  members: z.array(memberRow).min(1).max(1000),
  /** The cluster-wide variables (JoinCredentials), sealed to the request's boxKey. */
  credentials: z.string().min(1).max(16_384),
  signedBy: nodeId,
  signature,
});
export type JoinAnswer = z.infer<typeof joinAnswerSchema>;

/**
 * A member's word for who leads, given with a NOT_LEADER answer to a join
 * request whose token and identity signatures it checked: the leader's id,
 * peer URL and pinned identity key, signed by the member.
 */
export const leaderVouchSchema = z.strictObject({
  leaderId: nodeId,
  leaderUrl: peerUrl,
  leaderKey: nodeKey,
  signedBy: nodeId,
  signature,
});
export type LeaderVouch = z.infer<typeof leaderVouchSchema>;

/**
 * What a vouching member signs: the claim it answers (the one-time box key
 * among it, so the vouch is good for this request only) and the leader.
 */
export function leaderVouchStatement(
  claim: JoinClaim,
  vouch: Omit<LeaderVouch, "signature">,
): Buffer {
  return Buffer.from(
    JSON.stringify([
      "nexaloak/join-leader/v1",
      claim.nodeId,
      claim.identityKey,
      claim.peerUrl,
      claim.boxKey,
      vouch.leaderId,
      vouch.leaderUrl,
      vouch.leaderKey,
      vouch.signedBy,
    ]),
  );
}

/**
 * The leader a vouch names, if `vouch` is well formed, was signed by the
 * member that was asked (`askedMember`, whose key the joiner already trusts)
 * and answers this very claim. Trust grows only through members already
 * trusted: a member that could lie here could as well sign a join answer.
 */
export function vouchedLeader(
  vouch: unknown,
  claim: JoinClaim,
  askedMember: TokenMember,
): { ok: true; leader: TokenMember } | { ok: false; why: string } {
  const parsed = leaderVouchSchema.safeParse(vouch);
  if (!parsed.success) return { ok: false, why: "malformed" };
  const { signature: signatureText, ...unsigned } = parsed.data;
  if (unsigned.signedBy !== askedMember.id)
    return { ok: false, why: `signed by ${unsigned.signedBy}, not by ${askedMember.id}` };
  if (
    !verifyNodeSignature(
      askedMember.identityKey,
      leaderVouchStatement(claim, unsigned),
      Buffer.from(signatureText, "base64url"),
    )
  )
    return { ok: false, why: "bad signature" };
  return {
    ok: true,
    leader: { id: unsigned.leaderId, url: unsigned.leaderUrl, identityKey: unsigned.leaderKey },
  };
}

/**
 * What the cluster hands a new node: the values of the variables every
 * member shares (those marked `sharedByCluster` in shared/env-variables.ts),
 * as environment text. ADMIN_API_TOKEN travels as digests only.
 */
export const joinCredentialsSchema = z.record(
  z.string().regex(/^[A-Z_]{1,40}$/),
  z.string().max(4096),
);
export type JoinCredentials = z.infer<typeof joinCredentialsSchema>;

/** What the answering member signs: the claim it answers, and the answer without its signature. */
export function answerStatement(claim: JoinClaim, answer: Omit<JoinAnswer, "signature">): Buffer {
  return Buffer.from(
    JSON.stringify([
      "nexaloak/join-answer/v1",
      claim.nodeId,
      claim.identityKey,
      claim.peerUrl,
      claim.boxKey,
      answer.nodeId,
      answer.region,
      answer.capacity,
      answer.members,
      answer.credentials,
      answer.signedBy,
    ]),
  );
}

/**
 * Credentials only a member that may lead needs: the bot runs on the leader
 * alone, and only the leader seals or opens what the replicated state keeps
 * under the data keys (probe-custody-task.ts makes even a server's own
 * probes). A seized learner holding them could poll the bot's updates,
 * answer users as the bot, and open configs' keys not yet delivered.
 */
const LEADER_ONLY_CREDENTIALS = ["BOT_TOKEN", "DATA_KEYS"];

/**
 * What a joiner receives: everything shared, but for the leader-only
 * credentials (BOT_TOKEN, DATA_KEYS) when an admin has named voter
 * candidates and it is not one (it will never vote or lead). With no
 * candidates named any member may come to lead, so every joiner gets them.
 */
export function credentialsForJoiner(
  shared: JoinCredentials,
  nodeId: string,
  voterCandidates: ReadonlySet<string> | undefined,
): JoinCredentials {
  if (voterCandidates === undefined || voterCandidates.has(nodeId)) return { ...shared };
  const given: JoinCredentials = {};
  for (const [name, value] of Object.entries(shared))
    if (!LEADER_ONLY_CREDENTIALS.includes(name)) given[name] = value;
  return given;
}

/** The context the credentials are sealed for: this node's join, nothing else. */
export function credentialsContext(claim: JoinClaim): string {
  return `nexaloak/join-credentials/v1/${claim.nodeId}/${claim.identityKey}`;
}
