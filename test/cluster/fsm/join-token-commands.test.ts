import { test } from "uvu";
import * as assert from "uvu/assert";
import { generateNodeIdentity } from "../../../cluster/identity/node-identity.ts";
import {
  type JoinClaim,
  joinTokenVerifier,
  newJoinTokenSecret,
  signJoinClaim,
} from "../../../cluster/membership/join-token.ts";
import { command, Fixture, HOUR_MS, T0, wgKey } from "./support/control-plane-fixture.ts";

const API = { kind: "api" } as const;
const secret = newJoinTokenSecret();

function claimFor(nodeId: string, identityKey = generateNodeIdentity().publicKey): JoinClaim {
  return { nodeId, identityKey, peerUrl: "ws://10.0.0.4:7001", boxKey: wgKey(7000, 1) };
}

function withToken(nodeId = "n4", at = T0): Fixture {
  const fixture = new Fixture();
  fixture.ok(command.registerServer("n1"));
  fixture.ok({
    type: "createJoinToken",
    nodeId,
    verifier: joinTokenVerifier(nodeId, secret),
    region: "de",
    capacity: 100,
    expiresAt: at + HOUR_MS,
    actor: API,
    at,
  });
  return fixture;
}

function redeem(claim: JoinClaim, options: { secret?: string; at?: number } = {}) {
  return {
    type: "redeemJoinToken" as const,
    ...claim,
    tokenSignature: signJoinClaim(options.secret ?? secret, claim),
    at: options.at ?? T0 + 1000,
  };
}

test("a token holds only its verifier; redeeming it pins the new node's key and spends it", () => {
  const fixture = withToken();
  const stored = fixture.state.joinToken("n4")!;
  assert.is(stored.status, "pending");
  assert.not.ok(JSON.stringify(fixture.state.snapshot()).includes(secret));
  const claim = claimFor("n4");
  const result = fixture.ok(redeem(claim));
  assert.is(result.repeated, false);
  assert.is(fixture.state.pinnedKeyOf("n4"), claim.identityKey);
  assert.is(fixture.state.nodeKeys().find((key) => key.nodeId === "n4")?.admittedBy, "join-token");
  assert.is(fixture.state.joinToken("n4")!.status, "redeemed");
});

test("the same identity asking again is a repeat; any other key is refused as JOIN_TOKEN_USED", () => {
  const fixture = withToken();
  const claim = claimFor("n4");
  fixture.ok(redeem(claim));
  assert.is(fixture.ok(redeem(claim, { at: T0 + 5000 })).repeated, true);
  const before = fixture.state.stateHash();
  fixture.refused(redeem(claimFor("n4")), "JOIN_TOKEN_USED");
  assert.is(fixture.state.stateHash(), before);
});

test("a request not signed by the token, expired, cancelled or unknown is refused and changes nothing", () => {
  const fixture = withToken();
  const before = fixture.state.stateHash();
  fixture.refused(redeem(claimFor("n4"), { secret: newJoinTokenSecret() }), "JOIN_TOKEN_FORGED");
  fixture.refused(redeem(claimFor("n4"), { at: T0 + HOUR_MS }), "JOIN_TOKEN_EXPIRED");
  fixture.refused(redeem(claimFor("n5")), "UNKNOWN_JOIN_TOKEN");
  // A signature over another claim does not carry over to this one.
  const signed = redeem(claimFor("n4"));
  fixture.refused({ ...signed, peerUrl: "ws://203.0.113.9:7001" }, "JOIN_TOKEN_FORGED");
  assert.is(fixture.state.stateHash(), before);
  fixture.ok({ type: "cancelJoinToken", nodeId: "n4", actor: API, at: T0 + 10 });
  fixture.refused(redeem(claimFor("n4")), "JOIN_TOKEN_CANCELLED");
});

test("a node id already given out, to a server, a member or a removed member, gets no token", () => {
  const fixture = withToken();
  const ask = (nodeId: string) => ({
    type: "createJoinToken" as const,
    nodeId,
    verifier: joinTokenVerifier(nodeId, secret),
    expiresAt: T0 + HOUR_MS,
    actor: API,
    at: T0,
  });
  fixture.refused(ask("n1"), "NODE_ID_TAKEN");
  fixture.refused(ask("n4"), "NODE_ID_TAKEN");
  fixture.ok({ type: "removeMember", nodeId: "n1", reason: "retired", actor: API, at: T0 });
  fixture.refused(ask("n1"), "NODE_ID_TAKEN");
  fixture.refused({ ...ask("n7"), expiresAt: T0 }, "INVALID_EXPIRY");
});

test("an identity key that is revoked or another member's is never admitted by a token", () => {
  const fixture = withToken();
  const taken = generateNodeIdentity().publicKey;
  fixture.ok({ type: "pinNodeKey", nodeId: "n1", publicKey: taken, actor: "n1", at: T0 });
  fixture.refused(redeem(claimFor("n4", taken)), "NODE_KEY_IN_USE");
  fixture.ok({ type: "revokeNodeKey", nodeId: "n1", actor: "api", reason: "seized", at: T0 });
  fixture.refused(redeem(claimFor("n4", taken)), "NODE_KEY_REVOKED");
});

test("tokens survive a snapshot with their status", () => {
  const fixture = withToken();
  fixture.ok(redeem(claimFor("n4")));
  const copy = new Fixture();
  copy.state.restore(fixture.state.snapshot());
  assert.equal(copy.state.joinTokens(), fixture.state.joinTokens());
  assert.is(copy.state.stateHash(), fixture.state.stateHash());
});

test.run();
