/**
 * Applying join tokens: an admin's token for a new server, the leader's
 * redemption once the new node proved it holds the token, an admin's
 * cancellation. Redemption pins the new node's identity key (so the peers
 * admit it, see cluster/transport/peer-key-book.ts) and spends the token: it
 * admits that one key, once. Apply checks the token's signature itself, so
 * not even a leader can admit a key the token holder did not ask for.
 */
import { verifyJoinClaim } from "../membership/join-token.ts";
import { actorLabel } from "./actors.ts";
import { applied } from "./apply-result.ts";
import type { CommandOf } from "./commands.ts";
import type { ControlPlaneData } from "./control-plane-data.ts";
import { type Refusal, refuse } from "./errors.ts";
import { awaitsReregistration, type JoinTokenRecord, type NodeKey } from "./records.ts";

/** Pending tokens at most: each is one server an admin is about to add. */
export const MAX_PENDING_JOIN_TOKENS = 100;

/** Why `nodeId` cannot be given to a new server, or undefined. */
function nodeIdTaken(data: ControlPlaneData, nodeId: string, at: number): Refusal | undefined {
  const taken = (why: string) =>
    refuse("NODE_ID_TAKEN", `${nodeId} ${why}; a node id is never given to a second server`);
  const server = data.servers.get(nodeId);
  // A server restored from a backup waits for a node to take its id again.
  if (server && !awaitsReregistration(server)) return taken("is already a server's id");
  if (data.nodeKeys.has(nodeId) || data.hasRevokedKeyOf(nodeId)) return taken("is a member's id");
  if (data.memberRemovals.has(nodeId)) return taken("belonged to a removed member");
  const token = data.joinTokens.get(nodeId);
  if (token?.status === "redeemed") return taken("was used by a join token");
  if (token?.status === "pending" && token.expiresAt > at)
    return taken("has a pending join token; cancel it first");
  return undefined;
}

export function createJoinToken(data: ControlPlaneData, command: CommandOf<"createJoinToken">) {
  const problem = nodeIdTaken(data, command.nodeId, command.at);
  if (problem) return problem;
  if (command.expiresAt <= command.at)
    return refuse("INVALID_EXPIRY", "a join token must expire after it is made");
  let pending = 0;
  for (const token of data.joinTokens.values())
    if (token.status === "pending" && token.expiresAt > command.at) pending++;
  if (pending >= MAX_PENDING_JOIN_TOKENS)
    return refuse(
      "TOO_MANY_JOIN_TOKENS",
      `${pending} join tokens are waiting; cancel unused ones (GET /v1/join-tokens) before asking for more`,
    );
  const token: JoinTokenRecord = {
    nodeId: command.nodeId,
    verifier: command.verifier,
    region: command.region ?? null,
    capacity: command.capacity ?? null,
    createdBy: actorLabel(command.actor),
    createdAt: command.at,
    expiresAt: command.expiresAt,
    status: "pending",
    redeemedKey: null,
    closedAt: null,
  };
  data.joinTokens.set(token.nodeId, token);
  return applied({ joinToken: { ...token } });
}

/** Why a token cannot admit `identityKey` now, or undefined when it can (or already did). */
export function joinTokenProblem(
  token: JoinTokenRecord | undefined,
  nodeId: string,
  identityKey: string,
  at: number,
): Refusal | undefined {
  if (!token)
    return refuse(
      "UNKNOWN_JOIN_TOKEN",
      `this cluster has no join token for ${nodeId}; it is forged or for another cluster`,
    );
  if (token.status === "cancelled")
    return refuse(
      "JOIN_TOKEN_CANCELLED",
      `the join token for ${nodeId} was cancelled by an admin; ask for a new one`,
    );
  if (token.status === "redeemed")
    return token.redeemedKey === identityKey
      ? undefined
      : refuse(
          "JOIN_TOKEN_USED",
          `the join token for ${nodeId} was already used by another server; ask an admin for a new one`,
        );
  if (token.expiresAt <= at)
    return refuse(
      "JOIN_TOKEN_EXPIRED",
      `the join token for ${nodeId} expired at ${new Date(token.expiresAt).toISOString()}; ask an admin for a new one`,
    );
  return undefined;
}

export function redeemJoinToken(data: ControlPlaneData, command: CommandOf<"redeemJoinToken">) {
  const token = data.joinTokens.get(command.nodeId);
  const problem = joinTokenProblem(token, command.nodeId, command.identityKey, command.at);
  if (problem) return problem;
  const record = token!;
  if (!verifyJoinClaim(record.verifier, command, command.tokenSignature))
    return refuse(
      "JOIN_TOKEN_FORGED",
      `the join request for ${command.nodeId} is not signed by its token; the token was altered or forged`,
    );
  if (record.status === "redeemed") {
    const nodeKey = data.nodeKeys.get(command.nodeId);
    return applied({
      joinToken: { ...record },
      nodeKey: nodeKey ? { ...nodeKey } : null,
      repeated: true,
    });
  }
  if (data.revokedNodeKeys.has(command.identityKey))
    return refuse(
      "NODE_KEY_REVOKED",
      "this identity key was revoked and can never be admitted again",
    );
  for (const pinned of data.nodeKeys.values())
    if (pinned.publicKey === command.identityKey)
      return refuse("NODE_KEY_IN_USE", `this identity key is already ${pinned.nodeId}'s`);
  const nodeKey: NodeKey = {
    nodeId: command.nodeId,
    publicKey: command.identityKey,
    admittedBy: "join-token",
    actor: record.createdBy,
    pinnedAt: command.at,
  };
  data.nodeKeys.set(command.nodeId, nodeKey);
  record.status = "redeemed";
  record.redeemedKey = command.identityKey;
  record.closedAt = command.at;
  return applied({ joinToken: { ...record }, nodeKey: { ...nodeKey }, repeated: false });
}

export function cancelJoinToken(data: ControlPlaneData, command: CommandOf<"cancelJoinToken">) {
  const token = data.joinTokens.get(command.nodeId);
  if (!token || token.status === "cancelled")
    return refuse("UNKNOWN_JOIN_TOKEN", `there is no pending join token for ${command.nodeId}`);
  if (token.status === "redeemed")
    return refuse(
      "JOIN_TOKEN_USED",
      `the join token for ${command.nodeId} was already used; remove the member instead (DELETE /v1/members/${command.nodeId})`,
    );
  token.status = "cancelled";
  token.closedAt = command.at;
  return applied({ joinToken: { ...token } });
}
