/** The identity key in a node's DATA_DIR: what a copy of its disk holds. */
import {
  loadOrCreateNodeIdentity,
  type NodeIdentity,
} from "../../../cluster/identity/node-identity.ts";

export function identityOnDisk(dataDir: string): NodeIdentity {
  const loaded = loadOrCreateNodeIdentity(dataDir);
  if (!loaded.ok) throw new Error(loaded.error.message);
  return loaded.value.identity;
}
