import { randomBytes } from "node:crypto";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { ChallengeFrame, HelloFrame } from "../../../cluster/transport/frame.ts";
import {
  type AcceptorState,
  answerChallenge,
  answerHello,
  checkAuth,
  computeProof,
  createHello,
  encodeNonce,
  HANDSHAKE_PROTOCOL,
  type HandshakeTranscript,
  isDialerFor,
  NONCE_BYTES,
  verifyProof,
} from "../../../cluster/transport/handshake.ts";

const SECRET = "the-cluster-secret-0123456789abcdef";
const OTHER_SECRET = "another-secret-0123456789abcdefghij";

function nonce(): string {
  return encodeNonce(randomBytes(NONCE_BYTES));
}

function acceptor(selfId: string, secret = SECRET): AcceptorState {
  const members = ["n1", "n2", "n3"].filter((id) => id !== selfId);
  return { selfId, clusterSecret: secret, isPeer: (id) => members.includes(id) };
}

/** Runs hello -> challenge between n1 (dialer) and n2 (acceptor). */
function exchange(secret = SECRET) {
  const hello = createHello("n1", "n2", nonce());
  const answered = answerHello(acceptor("n2", secret), hello, nonce());
  if (!answered.ok) throw new Error(answered.error.message);
  return { hello, ...answered.value };
}

test("honest peers authenticate each other in three frames", () => {
  const { hello, challenge, transcript } = exchange();
  assert.is(hello.from, "n1");
  assert.is(challenge.to, "n1");
  const auth = answerChallenge(SECRET, hello, challenge);
  assert.ok(auth.ok);
  if (!auth.ok) return;
  assert.equal(checkAuth(SECRET, transcript, auth.value), { ok: true, value: "n1" });
});

test("the acceptor refuses a dialer whose proof was made with another secret", () => {
  const { hello, challenge, transcript } = exchange();
  const forged = computeProof(OTHER_SECRET, "dialer", {
    ...transcript,
    acceptorNonce: challenge.nonce,
    dialerNonce: hello.nonce,
  });
  const checked = checkAuth(SECRET, transcript, { v: 1, type: "auth", proof: forged });
  assert.is(checked.ok, false);
  if (!checked.ok) assert.is(checked.error.code, "BAD_PROOF");
});

test("the dialer refuses an acceptor that does not know the secret, and sends no proof", () => {
  const { hello, challenge } = exchange(OTHER_SECRET);
  const auth = answerChallenge(SECRET, hello, challenge);
  assert.is(auth.ok, false);
  if (!auth.ok) assert.is(auth.error.code, "BAD_PROOF");
});

test("an auth replayed from an earlier connection fails against the acceptor's fresh nonce", () => {
  const earlier = exchange();
  const earlierAuth = answerChallenge(SECRET, earlier.hello, earlier.challenge);
  assert.ok(earlierAuth.ok);
  if (!earlierAuth.ok) return;
  // The attacker replays the same hello; the acceptor answers with a new nonce.
  const replay = answerHello(acceptor("n2"), earlier.hello, nonce());
  assert.ok(replay.ok);
  if (!replay.ok) return;
  const checked = checkAuth(SECRET, replay.value.transcript, earlierAuth.value);
  assert.is(checked.ok, false);
});

test("a challenge replayed from an earlier connection fails against the dialer's fresh nonce", () => {
  const earlier = exchange();
  const freshHello = createHello("n1", "n2", nonce());
  const auth = answerChallenge(SECRET, freshHello, earlier.challenge);
  assert.is(auth.ok, false);
  if (!auth.ok) assert.is(auth.error.code, "BAD_PROOF");
});

test("a proof binds both node ids: it fails for any other pair", () => {
  const transcript: HandshakeTranscript = {
    protocol: HANDSHAKE_PROTOCOL,
    dialerId: "n1",
    acceptorId: "n2",
    dialerNonce: nonce(),
    acceptorNonce: nonce(),
  };
  const proof = computeProof(SECRET, "dialer", transcript);
  assert.ok(verifyProof(SECRET, "dialer", transcript, proof));
  assert.not.ok(verifyProof(SECRET, "dialer", { ...transcript, dialerId: "n0" }, proof));
  assert.not.ok(verifyProof(SECRET, "dialer", { ...transcript, acceptorId: "n3" }, proof));
  assert.not.ok(
    verifyProof(SECRET, "dialer", { ...transcript, dialerId: "n2", acceptorId: "n1" }, proof),
  );
});

test("a proof binds the role: the acceptor's proof cannot be reflected as the dialer's", () => {
  const { transcript, challenge } = exchange();
  assert.not.ok(verifyProof(SECRET, "dialer", transcript, challenge.proof));
  const reflected = checkAuth(SECRET, transcript, { v: 1, type: "auth", proof: challenge.proof });
  assert.is(reflected.ok, false);
});

test("a proof binds the protocol label", () => {
  const { transcript, challenge } = exchange();
  assert.ok(verifyProof(SECRET, "acceptor", transcript, challenge.proof));
  assert.not.ok(
    verifyProof(
      SECRET,
      "acceptor",
      { ...transcript, protocol: "nexaloak-raft/2" },
      challenge.proof,
    ),
  );
});

test("a proof of the wrong length never verifies", () => {
  const { transcript, challenge } = exchange();
  assert.not.ok(verifyProof(SECRET, "acceptor", transcript, challenge.proof.slice(0, 20)));
  assert.not.ok(verifyProof(SECRET, "acceptor", transcript, ""));
});

test("the acceptor refuses unknown ids, hellos for another node and peers that should not dial", () => {
  const refusal = (hello: HelloFrame, selfId = "n2") => {
    const answered = answerHello(acceptor(selfId), hello, nonce());
    return answered.ok ? "accepted" : answered.error.code;
  };
  assert.is(refusal(createHello("n0", "n2", nonce())), "UNKNOWN_PEER");
  assert.is(refusal(createHello("n2", "n2", nonce())), "UNKNOWN_PEER");
  assert.is(refusal(createHello("n1", "n3", nonce())), "WRONG_TARGET");
  assert.is(refusal(createHello("n3", "n2", nonce())), "UNEXPECTED_DIALER");
  assert.is(refusal(createHello("n1", "n2", nonce())), "accepted");
});

test("the dialer refuses a challenge from a node it did not dial", () => {
  const { hello, challenge } = exchange();
  const fromElsewhere: ChallengeFrame = { ...challenge, from: "n3" };
  const forSomeoneElse: ChallengeFrame = { ...challenge, to: "n3" };
  for (const frame of [fromElsewhere, forSomeoneElse]) {
    const auth = answerChallenge(SECRET, hello, frame);
    assert.is(auth.ok ? "accepted" : auth.error.code, "WRONG_PEER");
  }
});

test("only the lower id of a pair dials", () => {
  assert.ok(isDialerFor("n1", "n2"));
  assert.not.ok(isDialerFor("n2", "n1"));
  assert.not.ok(isDialerFor("n1", "n1"));
});

test("a nonce is exactly 32 random bytes, 43 characters on the wire", () => {
  assert.is(nonce().length, 43);
  assert.is.not(nonce(), nonce());
  assert.throws(() => encodeNonce(randomBytes(16)), /32 bytes/);
});

test.run();
