/**
 * The leader's side of a join (see join-protocol.ts): checks the request,
 * has the replicated state redeem the token (apply checks the token's
 * signature again and pins the identity key), adds the node as a learner
 * with its peer URL, and answers with the members and the cluster's shared
 * credentials sealed to the requester: without BOT_TOKEN and DATA_KEYS for a
 * node that is not among the admin's voter candidates (credentialsForJoiner).
 *
 * A request that does not parse, or names a node id no token was made for,
 * gets the same bland 404 as any unknown path: a scanner learns nothing. A
 * follower names the leader (421, as for admin writes), once the request's
 * token and identity signatures check out, with its signed word for the
 * leader's key (join-protocol.ts, LeaderVouch).
 */
import type { IncomingMessage } from "node:http";
import { sealToWireGuardKey } from "../../shared/crypto/wireguard-sealed-box.ts";
import { readJsonBody } from "../../shared/json-body.ts";
import type { Logger } from "../../shared/logger.ts";
import { type NotLeaderError, notLeaderAnswer } from "../api/not-leader.ts";
import { errorResponse, statusOfRefusal } from "../api/respond.ts";
import type { ApiResponse } from "../api/router.ts";
import { CommandRefusedError, type ControlPlaneService } from "../control-plane-service.ts";
import type { ApplyResult } from "../fsm/control-plane.ts";
import { voterCandidatesOf } from "../fsm/settings.ts";
import type { NodeIdentity } from "../identity/node-identity.ts";
import { verifyNodeSignature } from "../identity/node-public-key.ts";
import type { ClusterNode } from "../node.ts";
import { UNSTAMPED_STATE_VERSION } from "../state-machine.ts";
import {
  answerStatement,
  credentialsContext,
  credentialsForJoiner,
  type JoinAnswer,
  type JoinCredentials,
  joinRequestSchema,
  type LeaderVouch,
  leaderVouchStatement,
} from "./join-protocol.ts";
import { identityStatement, verifyJoinClaim } from "./join-token.ts";
import { changeMembershipPatiently } from "./membership-change.ts";
import { membershipReasonText } from "./membership-reasons.ts";

/** How long the leader keeps trying to add the learner while other changes finish. */
const ADD_LEARNER_WITHIN_MS = 10_000;

export interface JoinAdmissionOptions {
  node: ClusterNode<ApplyResult>;
  service: ControlPlaneService;
  identity: NodeIdentity;
  /** The values of the variables every member shares, as this node runs with them. */
  credentials: () => JoinCredentials;
  logger: Logger;
}

/** `undefined`: answer as to a stranger (bland 404). */
export type JoinOutcome = ApiResponse | undefined;

export class JoinAdmission {
  constructor(private readonly options: JoinAdmissionOptions) {}

  async handle(request: IncomingMessage): Promise<JoinOutcome> {
    const { node, service, logger } = this.options;
    const body = await readJsonBody(request, joinRequestSchema);
    if (!body.ok) {
      logger.debug(
        { why: body.error.message },
        "answered a join request that does not parse as a stranger",
      );
      return undefined;
    }
    const join = body.value;
    const token = service.localState.joinToken(join.nodeId);
    if (token === undefined) {
      logger.debug(
        { nodeId: join.nodeId },
        "answered a join request for no known token as a stranger",
      );
      return undefined;
    }
    if (
      !verifyNodeSignature(
        join.identityKey,
        identityStatement(join),
        Buffer.from(join.identitySignature, "base64url"),
      )
    )
      return errorResponse(
        403,
        "JOIN_IDENTITY_UNPROVEN",
        "the join request is not signed by the identity key it names",
      );
    // Checked on every member, not only in apply: a member that does not lead
    // names the leader only to the holder of a real token.
    if (!verifyJoinClaim(token.verifier, join, join.tokenSignature))
      return errorResponse(
        403,
        "JOIN_TOKEN_FORGED",
        `the join request for ${join.nodeId} is not signed by its token; the token was altered or forged`,
      );
    const status = node.status();
    const elsewhere = notLeaderAnswer(status);
    if (elsewhere) return this.withLeaderVouch(elsewhere, status.leaderId, join);
    // A member of another release would apply this cluster's log differently,
    // or stop at its first entry of a later version: refuse it before the token is spent.
    const joinerVersion = join.stateVersion ?? UNSTAMPED_STATE_VERSION;
    const ownVersion = service.localState.version;
    if (joinerVersion !== ownVersion)
      return errorResponse(
        409,
        "JOIN_VERSION_MISMATCH",
        `this server runs state version ${joinerVersion} and the cluster ${ownVersion}: install the cluster's release on it (or upgrade every member first), then join with the same token`,
      );
    try {
      await service.run({
        type: "redeemJoinToken",
        nodeId: join.nodeId,
        identityKey: join.identityKey,
        peerUrl: join.peerUrl,
        boxKey: join.boxKey,
        tokenSignature: join.tokenSignature,
        at: service.now(),
      });
    } catch (error) {
      if (!(error instanceof CommandRefusedError)) throw error;
      logger.warn({ nodeId: join.nodeId, code: error.code }, "refused a join");
      const status = error.code === "JOIN_TOKEN_FORGED" ? 403 : statusOfRefusal(error.code);
      return errorResponse(status === 404 ? 403 : status, error.code, error.message);
    }
    await changeMembershipPatiently(
      node,
      { type: "addLearner", nodeId: join.nodeId, context: join.peerUrl },
      ADD_LEARNER_WITHIN_MS,
    );
    logger.info({ nodeId: join.nodeId, peerUrl: join.peerUrl }, "a new node joined as a learner");
    await service.run({
      type: "recordMembershipChange",
      nodeId: join.nodeId,
      change: "joined",
      reason: membershipReasonText({ kind: "joined", peerUrl: join.peerUrl }),
      at: service.now(),
    });
    return { status: 200, body: this.answer(join) };
  }

  /**
   * A NOT_LEADER answer with this member's signed word for the leader
   * (join-protocol.ts, LeaderVouch), so that a joiner whose token was made
   * before the leader joined can still check the leader's answer. Without a
   * known leader, its peer URL or its pinned key, the answer goes as it is.
   */
  private withLeaderVouch(
    elsewhere: ApiResponse,
    leaderId: string | null,
    join: JoinAnswerClaim,
  ): ApiResponse {
    const { node, service, identity } = this.options;
    if (leaderId === null) return elsewhere;
    const leaderUrl = node.memberUrls().get(leaderId);
    const leaderKey = service.localState.pinnedKeyOf(leaderId);
    if (!leaderUrl || !leaderKey) return elsewhere;
    const unsigned: Omit<LeaderVouch, "signature"> = {
      leaderId,
      leaderUrl,
      leaderKey,
      signedBy: node.id,
    };
    const signature = identity.sign(leaderVouchStatement(join, unsigned)).toString("base64url");
    const { error } = elsewhere.body as { error: NotLeaderError };
    return { ...elsewhere, body: { error: { ...error, vouch: { ...unsigned, signature } } } };
  }

  private answer(join: JoinAnswerClaim): JoinAnswer {
    const { node, service, identity } = this.options;
    const state = service.localState;
    const token = state.joinToken(join.nodeId)!;
    const members: JoinAnswer["members"] = [];
    for (const [id, url] of node.memberUrls()) {
      const key = state.pinnedKeyOf(id);
      if (key && url) members.push([id, url, key]);
    }
    const unsigned: Omit<JoinAnswer, "signature"> = {
      nodeId: join.nodeId,
      region: token.region,
      capacity: token.capacity,
      members,
      credentials: sealToWireGuardKey(
        join.boxKey,
        credentialsContext(join),
        JSON.stringify(
          credentialsForJoiner(
            this.options.credentials(),
            join.nodeId,
            voterCandidatesOf(state.setting("voterCandidates")),
          ),
        ),
      ),
      signedBy: node.id,
    };
    const signature = identity.sign(answerStatement(join, unsigned)).toString("base64url");
    return { ...unsigned, signature };
  }
}

type JoinAnswerClaim = { nodeId: string; identityKey: string; peerUrl: string; boxKey: string };
