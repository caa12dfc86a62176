/**
 * Which key each member must prove to be that member.
 *
 * The authority is the replicated state: the identity keys committed through
 * Raft (`pinNodeKey`, `replaceNodeKey`, `revokeNodeKey`). A member whose key
 * is committed is admitted with that key only; the cluster secret no longer
 * matters for it. A member with no committed key yet (the founders, in the
 * seconds before the leader pins them) is admitted on first contact if it
 * also proves the cluster secret, and that first key sticks in this node's
 * memory until the committed state says otherwise; the leader then commits
 * it (member-key-pinning-task.ts). A revoked key is never admitted again,
 * and a member whose key was revoked is not admitted by the secret either.
 */
import { err, ok, type Result } from "../../shared/result.ts";
import type { NodeId } from "../raft/types.ts";

/** The committed identity keys, as the control-plane state answers them. */
export interface CommittedNodeKeys {
  pinnedKeyOf(nodeId: NodeId): string | undefined;
  nodeIdOfKey(publicKey: string): NodeId | undefined;
  isRevokedKey(publicKey: string): boolean;
  /** Whether a key of `nodeId` was revoked and none is pinned now: only an admin brings it back. */
  isRevokedNode(nodeId: NodeId): boolean;
}

/** How a key is admitted: it is the pinned one, or it needs the enrollment secret too. */
export type KeyAdmission = "pinned" | "needs-enrollment-secret";

export type KeyRefusalCode =
  | "KEY_MISMATCH"
  | "KEY_REVOKED"
  | "KEY_OF_ANOTHER_MEMBER"
  | "NODE_REVOKED";

export class PeerKeyBook {
  private readonly firstContact = new Map<NodeId, string>();

  constructor(private readonly committed: () => CommittedNodeKeys | undefined) {}

  /** Decides whether `peerId` may authenticate with `publicKey`, and how. */
  admit(peerId: NodeId, publicKey: string): Result<KeyAdmission, KeyRefusalCode> {
    const committed = this.committed();
    if (committed?.isRevokedKey(publicKey)) {
      return err("KEY_REVOKED", `${peerId} presented a key that was revoked`);
    }
    const owner = committed?.nodeIdOfKey(publicKey) ?? this.firstContactOwner(publicKey);
    if (owner !== undefined && owner !== peerId) {
      return err("KEY_OF_ANOTHER_MEMBER", `${peerId} presented the key of ${owner}`);
    }
    const committedPin = committed?.pinnedKeyOf(peerId);
    if (committedPin === undefined && committed?.isRevokedNode(peerId)) {
      return err(
        "NODE_REVOKED",
        `${peerId}'s key was revoked; the enrollment secret cannot bring it back, only an admin's re-admission`,
      );
    }
    const pinned = committedPin ?? this.firstContact.get(peerId);
    if (pinned === undefined) return ok("needs-enrollment-secret");
    if (pinned !== publicKey) {
      return err(
        "KEY_MISMATCH",
        `${peerId} presented key ${publicKey}, but its pinned key is ${pinned}; if ${peerId} lost its data directory, an admin must re-admit its new key`,
      );
    }
    return ok("pinned");
  }

  /** Remembers the key a member first authenticated with (enrollment secret and key proven). */
  remember(peerId: NodeId, publicKey: string): void {
    if (this.committed()?.pinnedKeyOf(peerId) !== undefined) return;
    if (!this.firstContact.has(peerId)) this.firstContact.set(peerId, publicKey);
  }

  /** Keys known by first contact only, not yet in the committed state: what the leader should pin. */
  unpinned(): Map<NodeId, string> {
    const committed = this.committed();
    const result = new Map<NodeId, string>();
    for (const [peerId, key] of this.firstContact) {
      const pinned = committed?.pinnedKeyOf(peerId);
      if (pinned === undefined) result.set(peerId, key);
      // The committed state decided: forget what first contact said.
      else this.firstContact.delete(peerId);
    }
    return result;
  }

  private firstContactOwner(publicKey: string): NodeId | undefined {
    for (const [peerId, key] of this.firstContact) if (key === publicKey) return peerId;
    return undefined;
  }
}
