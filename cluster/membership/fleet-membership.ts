/**
 * What an admin does to the fleet's membership, for the admin API and the
 * bot alike: make and cancel join tokens, list them, and ask for a member's
 * removal. Everything random (the token's secret, a generated node id) is
 * made here on the leader; the replicated state keeps only the token's
 * verifier. A removal is recorded through Raft (its users re-homed at once);
 * the autopilot then finishes it (autopilot-task.ts).
 */
import { randomBytes } from "node:crypto";
import { isValidNodeId } from "../../shared/node-id.ts";
import { err, ok, type Result } from "../../shared/result.ts";
import type { ControlPlaneService } from "../control-plane-service.ts";
import type { AdminActor } from "../fsm/commands.ts";
import type { ApplyResult } from "../fsm/control-plane.ts";
import type { JoinTokenRecord } from "../fsm/records.ts";
import type { ClusterNode } from "../node.ts";
import {
  encodeJoinToken,
  joinTokenVerifier,
  MAX_TOKEN_MEMBERS,
  newJoinTokenSecret,
  type TokenMember,
} from "./join-token.ts";
import { quorumAfterRemoval } from "./quorum-check.ts";

/** The fewest voters the cluster keeps: with fewer, one loss stops it. */
export const MIN_VOTERS = 3;

export type MembershipErrorCode =
  | "INVALID_NODE_ID"
  | "UNKNOWN_MEMBER"
  | "TOO_FEW_VOTERS"
  | "QUORUM_AT_RISK"
  | "NO_MEMBER_KEYS";

/** A join token as admins see it: never the secret, which exists only in the answer that made it. */
export interface JoinTokenView {
  nodeId: string;
  region: string | null;
  capacity: number | null;
  status: JoinTokenRecord["status"] | "expired";
  createdBy: string;
  createdAt: number;
  expiresAt: number;
}

export class FleetMembership {
  constructor(
    private readonly node: ClusterNode<ApplyResult>,
    private readonly service: ControlPlaneService,
  ) {}

  /** A new join token; the answer is the only place its text ever appears. */
  async createJoinToken(input: {
    nodeId?: string;
    region?: string;
    capacity?: number;
    actor: AdminActor;
    updateId?: number;
  }): Promise<Result<{ nodeId: string; token: string; expiresAt: number }, MembershipErrorCode>> {
    const nodeId = input.nodeId ?? generatedNodeId(input.region);
    if (!isValidNodeId(nodeId))
      return err("INVALID_NODE_ID", `${nodeId} is not a node id: 1-32 of a-z 0-9 -`);
    const state = await this.service.read();
    const members = this.tokenMembers();
    // The token must name the leader that makes it: a new node checks the
    // answer's signature against the keys the token names, and only the
    // leader answers a join.
    if (!members.some((member) => member.id === this.node.id))
      return err(
        "NO_MEMBER_KEYS",
        "this leader's identity key is not pinned yet; wait a few seconds after the cluster starts",
      );
    const now = this.service.now();
    const minutes = Number(state.setting("joinTokenMinutes"));
    const expiresAt = now + minutes * 60_000;
    const secret = newJoinTokenSecret();
    await this.service.run({
      type: "createJoinToken",
      nodeId,
      verifier: joinTokenVerifier(nodeId, secret),
      ...(input.region === undefined ? {} : { region: input.region }),
      ...(input.capacity === undefined ? {} : { capacity: input.capacity }),
      expiresAt,
      actor: input.actor,
      at: now,
      ...(input.updateId === undefined ? {} : { updateId: input.updateId }),
    });
    return ok({
      nodeId,
      token: encodeJoinToken({ nodeId, secret, expiresAt, members }),
      expiresAt,
    });
  }

  async cancelJoinToken(nodeId: string, actor: AdminActor, updateId?: number) {
    return this.service.run({
      type: "cancelJoinToken",
      nodeId,
      actor,
      at: this.service.now(),
      ...(updateId === undefined ? {} : { updateId }),
    });
  }

  async joinTokens(): Promise<JoinTokenView[]> {
    const state = await this.service.read();
    const now = this.service.now();
    return state.joinTokens().map((token) => ({
      nodeId: token.nodeId,
      region: token.region,
      capacity: token.capacity,
      status: token.status === "pending" && token.expiresAt <= now ? "expired" : token.status,
      createdBy: token.createdBy,
      createdAt: token.createdAt,
      expiresAt: token.expiresAt,
    }));
  }

  /**
   * Removes a member: refused when it would leave fewer than three voters or
   * put the quorum at risk; otherwise its users are re-homed now and the
   * autopilot takes it out of the membership and revokes its key.
   */
  async removeMember(input: {
    nodeId: string;
    reason: string;
    actor: AdminActor;
    updateId?: number;
  }) {
    const state = await this.service.read();
    const confState = this.node.confState();
    const isMember =
      confState.voters.includes(input.nodeId) || confState.learners.includes(input.nodeId);
    if (!isMember && !state.server(input.nodeId) && !state.memberRemoval(input.nodeId))
      return err("UNKNOWN_MEMBER", `${input.nodeId} is not a member of this cluster`);
    const deadAfterMs = Number(state.setting("deadVoterAfterSeconds")) * 1000;
    const check = quorumAfterRemoval(this.node.memberHealth(), input.nodeId, {
      minVoters: MIN_VOTERS,
      deadAfterMs,
    });
    if (!check.ok) return check;
    const { value } = await this.service.run({
      type: "removeMember",
      nodeId: input.nodeId,
      reason: input.reason,
      actor: input.actor,
      at: this.service.now(),
      replacementKeys: this.service.replacementKeysFor(input.nodeId),
      ...(input.updateId === undefined ? {} : { updateId: input.updateId }),
    });
    return ok(value);
  }

  /** The members a token names: voters first, each with the identity key it must prove. */
  private tokenMembers(): TokenMember[] {
    const state = this.service.localState;
    const { voters } = this.node.confState();
    const members: TokenMember[] = [];
    for (const [id, url] of this.node.memberUrls()) {
      const identityKey = state.pinnedKeyOf(id);
      if (identityKey && url && !state.memberRemoval(id)) members.push({ id, url, identityKey });
    }
    members.sort((a, b) => Number(voters.includes(b.id)) - Number(voters.includes(a.id)));
    return members.slice(0, MAX_TOKEN_MEMBERS);
  }
}

/** `de-3f9a0c`: the region (or `node`) and six random hex digits. */
function generatedNodeId(region: string | undefined): string {
  const prefix = (region ?? "node")
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, "-")
    .replace(/^-+/, "")
    .slice(0, 24);
  return `${prefix || "node"}-${randomBytes(3).toString("hex")}`;
}
