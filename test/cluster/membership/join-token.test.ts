import { test } from "uvu";
import * as assert from "uvu/assert";
import { generateNodeIdentity } from "../../../cluster/identity/node-identity.ts";
import {
  checkNotExpired,
  encodeJoinToken,
  joinTokenVerifier,
  newJoinTokenSecret,
  parseJoinToken,
  signJoinClaim,
  verifyJoinClaim,
} from "../../../cluster/membership/join-token.ts";

const member = {
  id: "n1",
  url: "ws://10.0.0.1:7001",
  identityKey: generateNodeIdentity().publicKey,
};
const token = {
  nodeId: "de-3f9a0c",
  secret: newJoinTokenSecret(),
  expiresAt: 2_000_000_000_000,
  members: [member],
};
const claim = {
  nodeId: token.nodeId,
  identityKey: generateNodeIdentity().publicKey,
  peerUrl: "ws://10.0.0.9:7001",
  boxKey: "hAfKm5wdhV4zGkvq8c2IryzmItxNiEJQ8GgsVk6Z3E0=",
};

test("a token reads back as written", () => {
  const text = encodeJoinToken(token);
  assert.match(text, /^nxj1\.[A-Za-z0-9_-]+$/);
  const parsed = parseJoinToken(text);
  assert.ok(parsed.ok);
  assert.equal(parsed.ok && parsed.value, token);
});

test("damaged or foreign text is refused with JOIN_TOKEN_MALFORMED and says what to do", () => {
  const text = encodeJoinToken(token);
  for (const bad of [
    "",
    "hello",
    "nxj1.",
    `${text.slice(0, 40)}`,
    "nxj1.!!!",
    `nxj2.${text.slice(5)}`,
  ]) {
    const parsed = parseJoinToken(bad);
    assert.is(parsed.ok ? "ok" : parsed.error.code, "JOIN_TOKEN_MALFORMED", bad);
    assert.match(parsed.ok ? "" : parsed.error.message, /\/addserver/);
  }
});

test("the verifier checks the token's signature over exactly this claim, and nothing else", () => {
  const verifier = joinTokenVerifier(token.nodeId, token.secret);
  const signature = signJoinClaim(token.secret, claim);
  assert.ok(verifyJoinClaim(verifier, claim, signature));
  assert.not.ok(
    verifyJoinClaim(verifier, { ...claim, peerUrl: "ws://203.0.113.1:7001" }, signature),
  );
  assert.not.ok(
    verifyJoinClaim(verifier, { ...claim, identityKey: member.identityKey }, signature),
  );
  assert.not.ok(verifyJoinClaim(verifier, claim, signJoinClaim(newJoinTokenSecret(), claim)));
  // The same secret for another node id gives another verifier.
  assert.is.not(joinTokenVerifier("other", token.secret), verifier);
  assert.not.ok(verifier.includes(token.secret));
});

test("an expired token is refused before anything is sent", () => {
  assert.ok(checkNotExpired(token, token.expiresAt - 1).ok);
  const late = checkNotExpired(token, token.expiresAt);
  assert.is(late.ok ? "ok" : late.error.code, "JOIN_TOKEN_EXPIRED");
});

test.run();
