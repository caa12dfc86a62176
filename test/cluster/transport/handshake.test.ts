import { randomBytes } from "node:crypto";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  generateNodeIdentity,
  type NodeIdentity,
} from "../../../cluster/identity/node-identity.ts";
import type { ChallengeFrame, HelloFrame } from "../../../cluster/transport/frame.ts";
import {
  type AcceptorState,
  answerChallenge,
  answerHello,
  checkAuth,
  computeProof,
  createHello,
  encodeNonce,
  isDialerFor,
  NONCE_BYTES,
  transcriptHash,
} from "../../../cluster/transport/handshake.ts";
import { PeerKeyBook } from "../../../cluster/transport/peer-key-book.ts";
import {
  FrameOpener,
  FrameSealer,
  generateEphemeralKeyPair,
} from "../../../cluster/transport/session-cipher.ts";
import { committedKeys } from "./committed-keys.ts";

const SECRET = "the-cluster-secret-0123456789abcdef";
const OTHER_SECRET = "another-secret-0123456789abcdefghij";

function nonce(): string {
  return encodeNonce(randomBytes(NONCE_BYTES));
}

const identities: Record<string, NodeIdentity> = {
  n1: generateNodeIdentity(),
  n2: generateNodeIdentity(),
  n3: generateNodeIdentity(),
};

/** A party whose committed state pins `pins` (node id -> key); unpinned members need the secret. */
function party(
  selfId: string,
  options: { secret?: string; pins?: Record<string, string>; revoked?: string[] } = {},
): AcceptorState {
  const members = ["n1", "n2", "n3"].filter((id) => id !== selfId);
  const pins = new Map(Object.entries(options.pins ?? {}));
  return {
    selfId,
    identity: identities[selfId]!,
    clusterSecret: options.secret ?? SECRET,
    keys: new PeerKeyBook(() => committedKeys(pins, new Set(options.revoked ?? []))),
    isPeer: (id) => members.includes(id),
  };
}

const pinnedAll = {
  n1: identities.n1!.publicKey,
  n2: identities.n2!.publicKey,
  n3: identities.n3!.publicKey,
};

/** Runs the whole handshake between `dialer` (n1 by default) and `acceptor` (n2). */
function handshake(dialer: AcceptorState, acceptor: AcceptorState, identity = dialer.identity) {
  const dialerEphemeral = generateEphemeralKeyPair();
  const hello = createHello(
    { selfId: dialer.selfId, identity },
    acceptor.selfId,
    nonce(),
    dialerEphemeral,
  );
  const answered = answerHello(acceptor, hello, nonce(), generateEphemeralKeyPair());
  if (!answered.ok) return { stage: "hello" as const, error: answered.error };
  const answer = answerChallenge(
    { ...dialer, identity },
    hello,
    answered.value.challenge,
    dialerEphemeral,
  );
  if (!answer.ok) return { stage: "challenge" as const, error: answer.error };
  const checked = checkAuth(acceptor, answered.value.pending, answer.value.auth);
  if (!checked.ok) return { stage: "auth" as const, error: checked.error };
  return {
    stage: "done" as const,
    dialerSide: answer.value.authenticated,
    acceptorSide: checked.value,
    hello,
    challenge: answered.value.challenge,
    auth: answer.value.auth,
    pending: answered.value.pending,
  };
}

test("founders with no pinned keys authenticate by identity plus the enrollment secret", () => {
  const result = handshake(party("n1"), party("n2"));
  assert.is(result.stage, "done");
  if (result.stage !== "done") return;
  assert.is(result.acceptorSide.peerId, "n1");
  assert.is(result.acceptorSide.peerKey, identities.n1!.publicKey);
  assert.is(result.acceptorSide.enrolled, true);
  assert.is(result.dialerSide.peerId, "n2");
  assert.is(result.dialerSide.peerKey, identities.n2!.publicKey);
  assert.is(result.dialerSide.enrolled, true);
});

test("both ends derive matching session keys, one per direction", () => {
  const result = handshake(party("n1"), party("n2"));
  if (result.stage !== "done") throw new Error(result.error.message);
  const fromDialer = new FrameSealer(result.dialerSide.keys.send).seal(Buffer.from("to n2"));
  assert.is(
    new FrameOpener(result.acceptorSide.keys.receive).open(fromDialer)?.toString(),
    "to n2",
  );
  const fromAcceptor = new FrameSealer(result.acceptorSide.keys.send).seal(Buffer.from("to n1"));
  assert.is(
    new FrameOpener(result.dialerSide.keys.receive).open(fromAcceptor)?.toString(),
    "to n1",
  );
  assert.not.equal(result.dialerSide.keys.send, result.dialerSide.keys.receive);
});

test("an unpinned dialer without the secret is refused at its auth", () => {
  const result = handshake(party("n1", { secret: OTHER_SECRET }), party("n2"));
  assert.is(result.stage, "challenge");
  // The dialer refuses first: the acceptor's proof does not verify under the dialer's wrong secret.
  if (result.stage === "challenge") assert.is(result.error.code, "BAD_PROOF");
});

test("the acceptor refuses an unpinned dialer whose enrollment proof is forged", () => {
  const result = handshake(party("n1"), party("n2"));
  if (result.stage !== "done") throw new Error(result.error.message);
  const forged = {
    ...result.auth,
    proof: computeProof(OTHER_SECRET, "dialer", result.pending.transcriptHash),
  };
  const checked = checkAuth(party("n2"), result.pending, forged);
  assert.is(checked.ok ? "accepted" : checked.error.code, "BAD_PROOF");
});

test("once keys are pinned the secret no longer matters: pinned members authenticate without it", () => {
  const result = handshake(
    party("n1", { secret: OTHER_SECRET, pins: pinnedAll }),
    party("n2", { pins: pinnedAll }),
  );
  assert.is(result.stage, "done");
  if (result.stage === "done") assert.is(result.acceptorSide.enrolled, false);
});

test("the secret and a member's id without its key do not make a member once it is pinned", () => {
  const impostor = generateNodeIdentity();
  const result = handshake(
    party("n1", { pins: pinnedAll }),
    party("n2", { pins: pinnedAll }),
    impostor,
  );
  assert.is(result.stage, "hello");
  if (result.stage === "hello") assert.is(result.error.code, "KEY_MISMATCH");
});

test("a member's key presented under another member's id is refused", () => {
  // A seized n3 (its own key, the secret) tries to pass as n1.
  const result = handshake(
    party("n1", { pins: pinnedAll }),
    party("n2", { pins: pinnedAll }),
    identities.n3!,
  );
  assert.is(result.stage, "hello");
  if (result.stage === "hello") assert.is(result.error.code, "KEY_OF_ANOTHER_MEMBER");
});

test("a revoked key is refused even when no pin names it any more", () => {
  const revoked = identities.n1!.publicKey;
  const { n1: _, ...othersPinned } = pinnedAll;
  const result = handshake(party("n1"), party("n2", { pins: othersPinned, revoked: [revoked] }));
  assert.is(result.stage, "hello");
  if (result.stage === "hello") assert.is(result.error.code, "KEY_REVOKED");
});

test("the dialer refuses an acceptor holding another key than the pinned one, and sends nothing", () => {
  const impostorAcceptor: AcceptorState = { ...party("n2"), identity: generateNodeIdentity() };
  const result = handshake(party("n1", { pins: pinnedAll }), impostorAcceptor);
  assert.is(result.stage, "challenge");
  if (result.stage === "challenge") assert.is(result.error.code, "KEY_MISMATCH");
});

test("a challenge whose signature does not match its key is refused", () => {
  const dialer = party("n1");
  const ephemeral = generateEphemeralKeyPair();
  const hello = createHello(dialer, "n2", nonce(), ephemeral);
  const answered = answerHello(party("n2"), hello, nonce(), generateEphemeralKeyPair());
  if (!answered.ok) throw new Error(answered.error.message);
  // An on-path attacker swaps in its own ephemeral key to read the session.
  const swapped: ChallengeFrame = {
    ...answered.value.challenge,
    ephemeral: generateEphemeralKeyPair().publicKey,
  };
  const answer = answerChallenge(dialer, hello, swapped, ephemeral);
  assert.is(answer.ok ? "accepted" : answer.error.code, "BAD_SIGNATURE");
});

test("an auth replayed from an earlier connection fails against the acceptor's fresh transcript", () => {
  const first = handshake(party("n1"), party("n2"));
  const second = handshake(party("n1"), party("n2"));
  if (first.stage !== "done" || second.stage !== "done") throw new Error("handshake failed");
  const replayed = checkAuth(party("n2"), second.pending, first.auth);
  assert.is(replayed.ok ? "accepted" : replayed.error.code, "BAD_SIGNATURE");
});

test("a challenge replayed from an earlier connection fails against the dialer's fresh nonce", () => {
  const first = handshake(party("n1"), party("n2"));
  if (first.stage !== "done") throw new Error("handshake failed");
  const dialer = party("n1");
  const ephemeral = generateEphemeralKeyPair();
  const hello = createHello(dialer, "n2", nonce(), ephemeral);
  const answer = answerChallenge(dialer, hello, first.challenge, ephemeral);
  assert.is(answer.ok ? "accepted" : answer.error.code, "BAD_SIGNATURE");
});

test("a signature binds the role: the acceptor's cannot be reflected as the dialer's", () => {
  const result = handshake(party("n1"), party("n2"));
  if (result.stage !== "done") throw new Error("handshake failed");
  const reflected = { ...result.auth, signature: result.challenge.signature };
  const checked = checkAuth(party("n2"), result.pending, reflected);
  assert.is(checked.ok ? "accepted" : checked.error.code, "BAD_SIGNATURE");
});

test("the transcript binds both ids, both identity keys, both ephemeral keys and both nonces", () => {
  const hello: HelloFrame = createHello(party("n1"), "n2", nonce(), generateEphemeralKeyPair());
  const ours = {
    nonce: nonce(),
    key: identities.n2!.publicKey,
    ephemeral: generateEphemeralKeyPair().publicKey,
  };
  const base = transcriptHash(hello, ours).toString("hex");
  const variants = [
    transcriptHash({ ...hello, from: "n0" }, ours),
    transcriptHash({ ...hello, to: "n3" }, ours),
    transcriptHash({ ...hello, key: identities.n3!.publicKey }, ours),
    transcriptHash(hello, { ...ours, key: identities.n3!.publicKey }),
    transcriptHash({ ...hello, ephemeral: ours.ephemeral }, ours),
    transcriptHash(hello, { ...ours, ephemeral: hello.ephemeral }),
    transcriptHash({ ...hello, nonce: nonce() }, ours),
    transcriptHash(hello, { ...ours, nonce: nonce() }),
  ];
  for (const variant of variants) assert.is.not(variant.toString("hex"), base);
});

test("an unusable ephemeral key (all zeros, a low-order point) is refused", () => {
  const dialer = party("n1");
  const hello = createHello(dialer, "n2", nonce(), generateEphemeralKeyPair());
  const zero = Buffer.alloc(32).toString("base64url");
  const answered = answerHello(
    party("n2"),
    { ...hello, ephemeral: zero },
    nonce(),
    generateEphemeralKeyPair(),
  );
  assert.is(answered.ok ? "accepted" : answered.error.code, "BAD_KEY");
});

test("the acceptor refuses unknown ids, hellos for another node and peers that should not dial", () => {
  const hello = createHello(party("n1"), "n2", nonce(), generateEphemeralKeyPair());
  const codeOf = (state: AcceptorState, frame: HelloFrame) => {
    const answered = answerHello(state, frame, nonce(), generateEphemeralKeyPair());
    return answered.ok ? "accepted" : answered.error.code;
  };
  assert.is(codeOf(party("n2"), { ...hello, from: "n9" }), "UNKNOWN_PEER");
  assert.is(codeOf(party("n2"), { ...hello, to: "n3" }), "WRONG_TARGET");
  const fromHigher = createHello(party("n3"), "n2", nonce(), generateEphemeralKeyPair());
  assert.is(codeOf(party("n2"), fromHigher), "UNEXPECTED_DIALER");
});

test("the dialer refuses a challenge from a node it did not dial", () => {
  const result = handshake(party("n1"), party("n2"));
  if (result.stage !== "done") throw new Error("handshake failed");
  const answer = answerChallenge(
    party("n1"),
    result.hello,
    { ...result.challenge, from: "n3" },
    generateEphemeralKeyPair(),
  );
  assert.is(answer.ok ? "accepted" : answer.error.code, "WRONG_PEER");
});

test("only the lower id of a pair dials", () => {
  assert.ok(isDialerFor("n1", "n2"));
  assert.not.ok(isDialerFor("n2", "n1"));
});

test("a nonce is exactly 32 random bytes, 43 characters on the wire", () => {
  assert.is(nonce().length, 43);
  assert.throws(() => encodeNonce(randomBytes(16)));
});

test.run();
