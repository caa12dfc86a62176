/** Committed identity keys for transport tests, from a plain map and set the test controls. */
import type { CommittedNodeKeys } from "../../../cluster/transport/peer-key-book.ts";

export function committedKeys(
  pins: ReadonlyMap<string, string>,
  revoked: ReadonlySet<string> = new Set(),
  revokedNodes: ReadonlySet<string> = new Set(),
): CommittedNodeKeys {
  return {
    pinnedKeyOf: (nodeId) => pins.get(nodeId),
    nodeIdOfKey: (publicKey) => [...pins].find(([, key]) => key === publicKey)?.[0],
    isRevokedKey: (publicKey) => revoked.has(publicKey),
    isRevokedNode: (nodeId) => !pins.has(nodeId) && revokedNodes.has(nodeId),
  };
}
