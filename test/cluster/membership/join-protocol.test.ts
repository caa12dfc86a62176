import { test } from "uvu";
import * as assert from "uvu/assert";
import { generateNodeIdentity } from "../../../cluster/identity/node-identity.ts";
import {
  credentialsForJoiner,
  type LeaderVouch,
  leaderVouchStatement,
  vouchedLeader,
} from "../../../cluster/membership/join-protocol.ts";
import type { JoinClaim } from "../../../cluster/membership/join-token.ts";
import { generateKeyPair } from "../../../shared/crypto/wireguard-keys.ts";

const shared = { CLUSTER_SECRET: "s".repeat(32), DATA_KEYS: "k1:secret", BOT_TOKEN: "1:token" };

test("with no voter candidates named, a joiner receives every shared credential", () => {
  assert.equal(credentialsForJoiner(shared, "de-1", undefined), shared);
});

test("a joiner among the voter candidates receives every shared credential", () => {
  assert.equal(credentialsForJoiner(shared, "de-1", new Set(["de-1", "nl-2", "fi-3"])), shared);
});

test("a joiner that is not a voter candidate receives everything but the bot token and the data keys", () => {
  const received = credentialsForJoiner(shared, "ir-9", new Set(["de-1", "nl-2", "fi-3"]));
  assert.equal(received, { CLUSTER_SECRET: shared.CLUSTER_SECRET });
  assert.is(shared.BOT_TOKEN, "1:token", "the node's own credentials are untouched");
});

const member = generateNodeIdentity();
const leader = generateNodeIdentity();
const asked = { id: "de-1", url: "ws://203.0.113.1:7001", identityKey: member.publicKey };

function claimFor(boxKey = generateKeyPair().publicKey): JoinClaim {
  return {
    nodeId: "nl-4",
    identityKey: generateNodeIdentity().publicKey,
    peerUrl: "ws://203.0.113.4:7001",
    boxKey,
  };
}

function vouchFor(
  claim: JoinClaim,
  changes: Partial<Omit<LeaderVouch, "signature">> = {},
  signer = member,
): LeaderVouch {
  const unsigned = {
    leaderId: "fi-3",
    leaderUrl: "ws://203.0.113.3:7001",
    leaderKey: leader.publicKey,
    signedBy: "de-1",
    ...changes,
  };
  const signature = signer.sign(leaderVouchStatement(claim, unsigned)).toString("base64url");
  return { ...unsigned, signature };
}

test("a vouch signed by the member asked, for this claim, names a leader the joiner may trust", () => {
  const claim = claimFor();
  const vouched = vouchedLeader(vouchFor(claim), claim, asked);
  assert.equal(vouched, {
    ok: true,
    leader: { id: "fi-3", url: "ws://203.0.113.3:7001", identityKey: leader.publicKey },
  });
});

test("a vouch made for another request (another one-time box key) is refused: it cannot be replayed", () => {
  const claim = claimFor();
  const vouched = vouchedLeader(vouchFor(claimFor()), claim, asked);
  assert.equal(vouched, { ok: false, why: "bad signature" });
});

test("a vouch whose leader was changed on the way is refused", () => {
  const claim = claimFor();
  const tampered = { ...vouchFor(claim), leaderUrl: "ws://198.51.100.66:7001" };
  assert.equal(vouchedLeader(tampered, claim, asked), { ok: false, why: "bad signature" });
  const otherKey = { ...vouchFor(claim), leaderKey: generateNodeIdentity().publicKey };
  assert.equal(vouchedLeader(otherKey, claim, asked), { ok: false, why: "bad signature" });
});

test("a vouch signed by anyone but the member asked is refused, even if it claims to be that member's", () => {
  const claim = claimFor();
  const stranger = generateNodeIdentity();
  assert.equal(vouchedLeader(vouchFor(claim, {}, stranger), claim, asked), {
    ok: false,
    why: "bad signature",
  });
  assert.equal(vouchedLeader(vouchFor(claim, { signedBy: "ir-9" }, stranger), claim, asked), {
    ok: false,
    why: "signed by ir-9, not by de-1",
  });
});

test("a malformed vouch is refused: not an object, extra fields, a bad URL or key", () => {
  const claim = claimFor();
  for (const vouch of [
    null,
    "fi-3",
    { ...vouchFor(claim), extra: 1 },
    vouchFor(claim, { leaderUrl: "http://203.0.113.3:7001/x" }),
    vouchFor(claim, { leaderKey: "not-a-key" }),
  ])
    assert.equal(vouchedLeader(vouch, claim, asked), { ok: false, why: "malformed" });
});

test.run();
