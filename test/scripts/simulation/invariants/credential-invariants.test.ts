import { test } from "uvu";
import * as assert from "uvu/assert";
import { API_ACTOR } from "../../../../cluster/fsm/actors.ts";
import { joinTokenVerifier, signJoinClaim } from "../../../../cluster/membership/join-token.ts";
import {
  IDENTITIES,
  SUBSCRIPTION_DIGESTS,
  wgKey,
} from "../../../../scripts/simulation/commands/domains.ts";
import {
  type CredentialView,
  credentialViolation,
} from "../../../../scripts/simulation/invariants/credential-invariants.ts";
import {
  backupKeyCheck,
  type Fixture,
} from "../../../cluster/fsm/support/control-plane-fixture.ts";
import { fleetFixture, T0 } from "../support/fleet-fixture.ts";

const USERS = ["10", "11"];
const [FIRST, RESET, OTHER] = SUBSCRIPTION_DIGESTS as [string, string, string];
const SECRET = Buffer.alloc(32, 7).toString("base64url");

/**
 * The fleet where user 10 reset their subscription (FIRST, then RESET) and
 * user 11 has OTHER; n1 pinned its key on first contact, n4 joined with a
 * token; an admin set the backup passphrase. `then` applies more commands.
 */
function credentials(then: (fixture: Fixture) => void = () => undefined): CredentialView {
  const fixture = fleetFixture();
  const subscription = { type: "issueSubscription", tokenSealed: "sealed", at: T0 } as const;
  fixture.ok({ ...subscription, userId: "10", tokenSha256: FIRST, replace: false });
  fixture.ok({ ...subscription, userId: "10", tokenSha256: RESET, replace: true });
  fixture.ok({ ...subscription, userId: "11", tokenSha256: OTHER, replace: false });
  const pinned = IDENTITIES[0]!.publicKey;
  fixture.ok({ type: "pinNodeKey", nodeId: "n1", publicKey: pinned, actor: "n1", at: T0 });
  fixture.ok({
    type: "createJoinToken",
    nodeId: "n4",
    verifier: joinTokenVerifier("n4", SECRET),
    expiresAt: T0 + 3_600_000,
    actor: API_ACTOR,
    at: T0,
  });
  const claim = {
    nodeId: "n4",
    identityKey: IDENTITIES[1]!.publicKey,
    peerUrl: "ws://n4.example:7000",
    boxKey: wgKey(1, 9),
  };
  fixture.ok({
    type: "redeemJoinToken",
    ...claim,
    tokenSignature: signJoinClaim(SECRET, claim),
    at: T0,
  });
  fixture.ok({ type: "setBackupPassphrase", ...backupKeyCheck(1), actor: API_ACTOR, at: T0 });
  then(fixture);
  const { state } = fixture;
  return {
    subscriptionOf: (userId) => state.subscriptionOf(userId),
    userIdOfSubscriptionDigest: (digest) => state.userIdOfSubscriptionDigest(digest),
    nodeKeys: () => state.nodeKeys(),
    isRevokedKey: (publicKey) => state.isRevokedKey(publicKey),
    pinnedKeyOf: (nodeId) => state.pinnedKeyOf(nodeId),
    joinTokens: () => state.joinTokens(),
    backupPassphrase: () => state.backupPassphrase(),
  };
}

function violation(view: CredentialView): string {
  return credentialViolation(view, USERS, SUBSCRIPTION_DIGESTS) ?? "";
}

test("subscriptions issued and reset, keys pinned and admitted by a token, a backup passphrase: every invariant holds", () => {
  assert.is(credentialViolation(credentials(), USERS, SUBSCRIPTION_DIGESTS), undefined);
});

test("a user's subscription digest that finds nobody, or another user, is caught", () => {
  const view = credentials();
  const lost = { ...view, userIdOfSubscriptionDigest: () => undefined };
  assert.match(violation(lost), "user 10's subscription token digest finds nobody");
  const crossed = { ...view, userIdOfSubscriptionDigest: () => "11" };
  assert.match(violation(crossed), "user 10's subscription token digest finds 11");
});

test("a digest replaced by a reset that still finds its user is caught", () => {
  const view = credentials();
  const stale = {
    ...view,
    userIdOfSubscriptionDigest: (digest: string) =>
      digest === FIRST ? "10" : view.userIdOfSubscriptionDigest(digest),
  };
  assert.match(violation(stale), /digest .* finds user 10, whose token is another/);
});

test("an identity key pinned for two members, or pinned and revoked, is caught", () => {
  const view = credentials();
  const [key] = view.nodeKeys();
  const twice = { ...view, nodeKeys: () => [key!, { ...key!, nodeId: "n2" }] };
  assert.match(violation(twice), /is pinned for n1 and n2/);
  const revoked = { ...view, isRevokedKey: () => true };
  assert.match(violation(revoked), "n1's pinned identity key is revoked");
});

test("the key a join token admitted is its member's until an admin replaces or revokes it", () => {
  const view = credentials();
  const swapped = {
    ...view,
    pinnedKeyOf: (nodeId: string) => (nodeId === "n4" ? "another" : view.pinnedKeyOf(nodeId)),
  };
  assert.match(
    violation(swapped),
    "the key n4's join token admitted is neither pinned for it nor revoked",
  );
  const replaced = credentials((fixture) =>
    fixture.ok({
      type: "replaceNodeKey",
      nodeId: "n4",
      publicKey: IDENTITIES[2]!.publicKey,
      actor: "api",
      reason: "disk lost",
      at: T0,
    }),
  );
  assert.is(credentialViolation(replaced, USERS, SUBSCRIPTION_DIGESTS), undefined);
});

test("a backup passphrase check no passphrase can meet is caught", () => {
  const view = credentials();
  const invalid = { ...view, backupPassphrase: () => ({ ...view.backupPassphrase()!, n: 1000 }) };
  assert.match(violation(invalid), /the backup passphrase check is invalid: scrypt N/);
});

test.run();
