/**
 * The owner's side of the secrets exchange, with real keys: a server gives
 * a member the secrets of its own configs of the user whose token the
 * member passes, sealed so that only the asker opens them, and nothing else.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ControlPlaneState } from "../../../cluster/fsm/control-plane.ts";
import { openConfigSecrets } from "../../../cluster/subscription/config-secrets.ts";
import {
  buildSecretsRequest,
  openSecretsAnswer,
} from "../../../cluster/subscription/subscription-secret-fetch.ts";
import { SubscriptionSecretOwner } from "../../../cluster/subscription/subscription-secret-owner.ts";
import { KeyRateLimit } from "../../../shared/key-rate-limit.ts";
import { T0 } from "../fsm/support/control-plane-fixture.ts";
import { SubscriptionFleet } from "./support/subscription-fleet.ts";

function fleetWithUsers() {
  const fleet = new SubscriptionFleet();
  fleet.addUser("10");
  fleet.addUser("11");
  fleet.issue("a-de", "10", "de");
  fleet.issue("a-ss", "10", "de", "shadowsocks");
  fleet.issue("a-nl", "10", "nl");
  fleet.issue("b-de", "11", "de");
  return fleet;
}

function ownerOf(fleet: SubscriptionFleet, id: string, burst = 100, clock = () => T0) {
  const server = fleet.server(id);
  return new SubscriptionSecretOwner({
    selfId: id,
    identity: server.identity,
    serverKeys: server.keys,
    state: () => fleet.state,
    rateLimit: new KeyRateLimit({ burst, perSecond: 0.001, maxKeys: 10, clock }),
    clock,
  });
}

/** n2 asks n1 with `token` for `configIds`. */
function askN1(fleet: SubscriptionFleet, token: string, configIds: string[]) {
  const n1 = fleet.server("n1");
  const n2 = fleet.server("n2");
  return buildSecretsRequest(
    { selfId: "n2", identity: n2.identity, timeoutMs: 1000, clock: () => T0 },
    {
      ownerId: "n1",
      baseUrl: "http://unused",
      serverPublicKey: n1.keys.publicKey,
      identityKey: n1.identity.publicKey,
    },
    token,
    configIds,
  );
}

test("the owner answers a member with the user's token: only that user's live configs on its own server, sealed to the asker", () => {
  const fleet = fleetWithUsers();
  const { request, replyKeys } = askN1(fleet, fleet.tokens.get("10")!, [
    "a-de",
    "a-ss",
    "a-nl",
    "b-de",
  ]);
  const answer = ownerOf(fleet, "n1").answer(JSON.parse(JSON.stringify(request)));
  assert.ok(answer.ok);
  assert.is(answer.served, 2, "a-nl is n2's, b-de another user's");
  const opened = openSecretsAnswer(
    answer.answer,
    request,
    replyKeys,
    fleet.server("n1").identity.publicKey,
  );
  assert.equal([...opened.keys()].sort(), ["a-de", "a-ss"]);
  assert.equal(opened.get("a-de"), { kind: "wireguard", ...fleet.keys.get("a-de")! });
  assert.equal(opened.get("a-ss"), {
    kind: "shadowsocks",
    password: fleet.keys.get("a-ss")!.presharedKey,
  });
  // Signed by n1: an answer checked against another member's key gives nothing.
  assert.is(
    openSecretsAnswer(answer.answer, request, replyKeys, fleet.server("n2").identity.publicKey)
      .size,
    0,
  );
});

test("a revoked config is not handed out any more", () => {
  const fleet = fleetWithUsers();
  fleet.fixture.ok({
    type: "revokeConfig",
    configId: "a-de",
    actor: { kind: "api" },
    reason: "gone",
    at: T0,
  });
  const { request } = askN1(fleet, fleet.tokens.get("10")!, ["a-de"]);
  const answer = ownerOf(fleet, "n1").answer(request);
  assert.ok(answer.ok);
  assert.is(answer.served, 0);
});

test("a wrong token, a stranger, a forged or stale request get no secrets", () => {
  const fleet = fleetWithUsers();
  const owner = ownerOf(fleet, "n1");
  const wrongToken = askN1(fleet, "x".repeat(43), ["a-de"]).request;
  assert.equal(owner.answer(wrongToken), { ok: false, code: "UNKNOWN_TOKEN", asker: "n2" });
  // Another user's token does not open user 10's configs.
  const otherUser = askN1(fleet, fleet.tokens.get("11")!, ["a-de"]).request;
  const otherAnswer = owner.answer(otherUser);
  assert.ok(otherAnswer.ok && otherAnswer.served === 0);

  const { request } = askN1(fleet, fleet.tokens.get("10")!, ["a-de"]);
  assert.equal(owner.answer({ ...request, from: "n9" }), {
    ok: false,
    code: "NOT_A_MEMBER_REQUEST",
  });
  assert.equal(owner.answer({ ...request, configIds: ["b-de"] }), {
    ok: false,
    code: "NOT_A_MEMBER_REQUEST",
  });
  assert.equal(owner.answer({ ...request, to: "n2" }), { ok: false, code: "NOT_A_MEMBER_REQUEST" });
  assert.equal(owner.answer("garbage"), { ok: false, code: "NOT_A_MEMBER_REQUEST" });
  const late = ownerOf(fleet, "n1", 100, () => T0 + 120_000);
  assert.equal(late.answer(request), { ok: false, code: "STALE_REQUEST", asker: "n2" });
});

test("requests are limited per asking member", () => {
  const fleet = fleetWithUsers();
  const owner = ownerOf(fleet, "n1", 3);
  const token = fleet.tokens.get("10")!;
  for (let attempt = 0; attempt < 3; attempt++)
    assert.ok(owner.answer(askN1(fleet, token, ["a-de"]).request).ok);
  assert.equal(owner.answer(askN1(fleet, token, ["a-de"]).request), {
    ok: false,
    code: "TOO_MANY_REQUESTS",
    asker: "n2",
  });
});

test("a node cannot read another server's users' keys or passwords from the replicated state", () => {
  const fleet = fleetWithUsers();
  const n2 = fleet.server("n2");
  for (const configId of ["a-de", "a-ss", "b-de"]) {
    const config = fleet.state.config(configId)!;
    assert.is(config.serverId, "n1");
    assert.ok(openConfigSecrets(fleet.server("n1").keys, config), "its own server opens it");
    assert.is(openConfigSecrets(n2.keys, config), undefined, `n2 cannot open ${configId}`);
  }
  const snapshot = fleet.state.snapshot();
  for (const [configId, keys] of fleet.keys) {
    assert.not.ok(snapshot.includes(keys.clientPrivateKey), `${configId}'s private key`);
    assert.not.ok(snapshot.includes(keys.presharedKey), `${configId}'s preshared key or password`);
  }
  for (const token of fleet.tokens.values())
    assert.not.ok(snapshot.includes(token), "tokens are kept as digests and sealed values only");
});

test("the sealed copies survive a snapshot, and a config row from before subscriptions has none", () => {
  const fleet = fleetWithUsers();
  const restored = new ControlPlaneState();
  restored.restore(fleet.state.snapshot());
  assert.is(restored.stateHash(), fleet.state.stateHash());
  assert.ok(openConfigSecrets(fleet.server("n1").keys, restored.config("a-de")!));
  const older = JSON.parse(fleet.state.snapshot()) as { configs: unknown[][] };
  older.configs = older.configs.map((row) => row.slice(0, 19));
  const fromOlder = new ControlPlaneState();
  fromOlder.restore(JSON.stringify(older));
  assert.is(fromOlder.config("a-de")!.subscriptionPrivateKeySealed, null);
  assert.is(openConfigSecrets(fleet.server("n1").keys, fromOlder.config("a-de")!), undefined);
});

test.run();
