import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { bearerDigestCheck, bearerTokenCheck } from "../../shared/bearer-token.ts";

function requestWith(authorization?: string, socket?: object): IncomingMessage {
  return {
    headers: authorization === undefined ? {} : { authorization },
    ...(socket ? { socket } : {}),
  } as IncomingMessage;
}

const sha256Hex = (text: string) => createHash("sha256").update(text).digest("hex");

test("the token itself passes; another token, a prefix, or no header does not", () => {
  const check = bearerTokenCheck("s3cret-token");
  assert.ok(check(requestWith("Bearer s3cret-token")));
  assert.not.ok(check(requestWith("Bearer s3cret-tokeN")));
  assert.not.ok(check(requestWith("Bearer s3cret")));
  assert.not.ok(check(requestWith()));
});

test("only the Bearer scheme is read", () => {
  const check = bearerTokenCheck("s3cret-token");
  assert.not.ok(check(requestWith("Basic s3cret-token")));
  assert.not.ok(check(requestWith("s3cret-token")));
});

test("checked against digests alone, either of two tokens passes while one is rotated", () => {
  const check = bearerDigestCheck([sha256Hex("old-token"), sha256Hex("new-token")]);
  assert.ok(check(requestWith("Bearer old-token")));
  assert.ok(check(requestWith("Bearer new-token")));
  assert.not.ok(check(requestWith("Bearer other-token")));
});

test("a connection is judged by what it presents now, not by what passed on it before", () => {
  const check = bearerTokenCheck("s3cret-token");
  const connection = {};
  assert.ok(check(requestWith("Bearer s3cret-token", connection)));
  assert.ok(check(requestWith("Bearer s3cret-token", connection)));
  assert.not.ok(check(requestWith("Bearer s3cret-tokeN", connection)));
  assert.not.ok(check(requestWith(undefined, connection)));
  assert.ok(check(requestWith("Bearer s3cret-token", connection)));
  const refused = {};
  assert.not.ok(check(requestWith("Bearer wrong", refused)));
  assert.not.ok(check(requestWith("Bearer wrong", refused)));
  assert.ok(check(requestWith("Bearer s3cret-token", refused)));
});

test.run();
