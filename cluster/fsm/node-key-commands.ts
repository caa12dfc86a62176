/**
 * Applying the identity-key commands: which key each member must prove to be
 * that member (cluster/transport/peer-key-book.ts reads the result). A key
 * belongs to one node at most, and a replaced or revoked key is refused for
 * ever, so an identity taken from a seized server cannot come back under any
 * name.
 */
import { applied } from "./apply-result.ts";
import type { CommandOf } from "./commands.ts";
import type { ControlPlaneData } from "./control-plane-data.ts";
import { refuse } from "./errors.ts";
import type { NodeKey, RevokedNodeKey } from "./records.ts";

function keyProblem(data: ControlPlaneData, nodeId: string, publicKey: string) {
  if (data.revokedNodeKeys.has(publicKey)) {
    return refuse("NODE_KEY_REVOKED", `this key was revoked and can never be admitted again`);
  }
  for (const pinned of data.nodeKeys.values()) {
    if (pinned.publicKey === publicKey && pinned.nodeId !== nodeId)
      return refuse("NODE_KEY_IN_USE", `this key is already ${pinned.nodeId}'s`);
  }
  return undefined;
}

/** Pins a first-contact key; the same key again is a no-op, another key is refused. */
export function pinNodeKey(data: ControlPlaneData, command: CommandOf<"pinNodeKey">) {
  const existing = data.nodeKeys.get(command.nodeId);
  if (existing?.publicKey === command.publicKey)
    return applied({ nodeKey: { ...existing }, created: false });
  if (existing)
    return refuse(
      "NODE_KEY_PINNED",
      `${command.nodeId} already has a pinned key; an admin must re-admit it with the new one`,
    );
  if (data.hasRevokedKeyOf(command.nodeId))
    return refuse(
      "NODE_KEY_REVOKED",
      `${command.nodeId}'s key was revoked; only an admin's re-admission gives it a new one`,
    );
  const problem = keyProblem(data, command.nodeId, command.publicKey);
  if (problem) return problem;
  const nodeKey: NodeKey = {
    nodeId: command.nodeId,
    publicKey: command.publicKey,
    admittedBy: "first-contact",
    actor: command.actor,
    pinnedAt: command.at,
  };
  data.nodeKeys.set(command.nodeId, nodeKey);
  return applied({ nodeKey: { ...nodeKey }, created: true });
}

/** An admin's re-admission: the new key is pinned and the old one revoked. */
export function replaceNodeKey(data: ControlPlaneData, command: CommandOf<"replaceNodeKey">) {
  const existing = data.nodeKeys.get(command.nodeId);
  if (existing?.publicKey === command.publicKey)
    return applied({ nodeKey: { ...existing }, revokedKey: null });
  const problem = keyProblem(data, command.nodeId, command.publicKey);
  if (problem) return problem;
  const revokedKey = existing ? revoke(data, existing, command.reason, command.at) : null;
  const nodeKey: NodeKey = {
    nodeId: command.nodeId,
    publicKey: command.publicKey,
    admittedBy: "admin",
    actor: command.actor,
    pinnedAt: command.at,
  };
  data.nodeKeys.set(command.nodeId, nodeKey);
  return applied({ nodeKey: { ...nodeKey }, revokedKey });
}

/** Revokes a member's pinned key. */
export function revokeNodeKey(data: ControlPlaneData, command: CommandOf<"revokeNodeKey">) {
  const existing = data.nodeKeys.get(command.nodeId);
  if (!existing) return refuse("UNKNOWN_NODE_KEY", `${command.nodeId} has no pinned key`);
  data.nodeKeys.delete(command.nodeId);
  return applied({ revokedKey: revoke(data, existing, command.reason, command.at) });
}

function revoke(data: ControlPlaneData, key: NodeKey, reason: string, at: number): RevokedNodeKey {
  const revoked: RevokedNodeKey = {
    publicKey: key.publicKey,
    nodeId: key.nodeId,
    reason,
    revokedAt: at,
  };
  data.revokedNodeKeys.set(key.publicKey, revoked);
  return { ...revoked };
}
