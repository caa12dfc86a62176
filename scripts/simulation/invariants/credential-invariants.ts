/**
 * What must hold of the credentials the state keeps: each subscription
 * token's digest finds its one user and a replaced digest finds nobody; an
 * identity key belongs to one member and is never both pinned and revoked;
 * the key a join token admitted stays its member's until an admin replaces
 * or revokes it; the backup passphrase's check is one a passphrase can meet.
 */
import type { ControlPlaneState } from "../../../cluster/fsm/control-plane.ts";
import { keyCheckProblem } from "../../../shared/crypto/backup-passphrase-key.ts";

/** What the credential invariants read of the state. */
export type CredentialView = Pick<
  ControlPlaneState,
  | "subscriptionOf"
  | "userIdOfSubscriptionDigest"
  | "nodeKeys"
  | "isRevokedKey"
  | "pinnedKeyOf"
  | "joinTokens"
  | "backupPassphrase"
>;

function subscriptionViolation(
  state: CredentialView,
  userIds: readonly string[],
  knownDigests: readonly string[],
): string | undefined {
  for (const userId of userIds) {
    const subscription = state.subscriptionOf(userId);
    if (!subscription) continue;
    const owner = state.userIdOfSubscriptionDigest(subscription.tokenSha256);
    if (owner !== userId)
      return `user ${userId}'s subscription token digest finds ${owner ?? "nobody"}`;
  }
  for (const digest of knownDigests) {
    const owner = state.userIdOfSubscriptionDigest(digest);
    if (owner !== undefined && state.subscriptionOf(owner)?.tokenSha256 !== digest)
      return `subscription token digest ${digest.slice(0, 8)}… finds user ${owner}, whose token is another`;
  }
  return undefined;
}

function identityViolation(state: CredentialView): string | undefined {
  const holders = new Map<string, string>();
  for (const { nodeId, publicKey } of state.nodeKeys()) {
    const holder = holders.get(publicKey);
    if (holder !== undefined)
      return `identity key ${publicKey} is pinned for ${holder} and ${nodeId}`;
    holders.set(publicKey, nodeId);
    if (state.isRevokedKey(publicKey)) return `${nodeId}'s pinned identity key is revoked`;
  }
  for (const token of state.joinTokens()) {
    if (token.status !== "redeemed") continue;
    const admitted = token.redeemedKey;
    if (admitted === null) return `${token.nodeId}'s join token was redeemed by no key`;
    if (state.pinnedKeyOf(token.nodeId) !== admitted && !state.isRevokedKey(admitted))
      return `the key ${token.nodeId}'s join token admitted is neither pinned for it nor revoked`;
  }
  return undefined;
}

/**
 * The first broken credential invariant, or undefined. `knownDigests` are
 * the digests the workload draws: each must find nobody, or the user whose
 * token it is.
 */
export function credentialViolation(
  state: CredentialView,
  userIds: readonly string[],
  knownDigests: readonly string[],
): string | undefined {
  const backupKey = state.backupPassphrase();
  const backupProblem = backupKey && keyCheckProblem(backupKey);
  if (backupProblem) return `the backup passphrase check is invalid: ${backupProblem}`;
  return subscriptionViolation(state, userIds, knownDigests) ?? identityViolation(state);
}
