import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  DEFAULT_SCRYPT,
  keyCheckProblem,
  makeBackupKeyCheck,
  scryptParametersProblem,
  unlockBackupKey,
} from "../../../shared/crypto/backup-passphrase-key.ts";
import { publicKeyFromPrivate } from "../../../shared/crypto/wireguard-keys.ts";

/** Cheap parameters, so the suite stays fast; the format is the same. */
const FAST = { n: 2 ** 10, r: 8, p: 1 };
const PASSPHRASE = "a long enough passphrase";

test("the default cost is OWASP's scrypt recommendation (N=2^17, r=8, p=1)", () => {
  assert.equal(DEFAULT_SCRYPT, { n: 131_072, r: 8, p: 1 });
  assert.is(scryptParametersProblem(DEFAULT_SCRYPT), undefined);
});

test("the check keeps salt, parameters and a public key; the passphrase derives its private half", async () => {
  const check = await makeBackupKeyCheck(PASSPHRASE, FAST);
  assert.ok(check.ok);
  if (!check.ok) return;
  assert.equal(Object.keys(check.value).sort(), ["n", "p", "publicKey", "r", "salt"]);
  assert.not.match(JSON.stringify(check.value), PASSPHRASE);
  assert.is(Buffer.from(check.value.salt, "base64").length, 16);
  const unlocked = await unlockBackupKey(PASSPHRASE, check.value);
  assert.ok(unlocked.ok);
  if (!unlocked.ok) return;
  assert.is(unlocked.value.publicKey, check.value.publicKey);
  const derived = publicKeyFromPrivate(unlocked.value.privateKey);
  assert.ok(derived.ok && derived.value === check.value.publicKey);
});

test("the same passphrase twice gets two salts and two keys", async () => {
  const first = await makeBackupKeyCheck(PASSPHRASE, FAST);
  const second = await makeBackupKeyCheck(PASSPHRASE, FAST);
  assert.ok(first.ok && second.ok);
  if (!first.ok || !second.ok) return;
  assert.is.not(first.value.salt, second.value.salt);
  assert.is.not(first.value.publicKey, second.value.publicKey);
});

test("a wrong passphrase is WRONG_PASSPHRASE, and so is one that differs by a character", async () => {
  const check = await makeBackupKeyCheck(PASSPHRASE, FAST);
  if (!check.ok) return assert.unreachable(check.error.message);
  for (const wrong of ["another passphrase entirely", `${PASSPHRASE} `, PASSPHRASE.toUpperCase()]) {
    const unlocked = await unlockBackupKey(wrong, check.value);
    assert.is(unlocked.ok ? "ok" : unlocked.error.code, "WRONG_PASSPHRASE", wrong);
  }
});

test("a passphrase shorter than 12 characters or longer than 1024 is refused before any derivation", async () => {
  const short = await makeBackupKeyCheck("eleven char", FAST);
  assert.is(short.ok ? "ok" : short.error.code, "PASSPHRASE_TOO_SHORT");
  const long = await makeBackupKeyCheck("x".repeat(1025), FAST);
  assert.is(long.ok ? "ok" : long.error.code, "PASSPHRASE_TOO_LONG");
  // Characters, not bytes: twelve Persian letters are enough.
  const persian = await makeBackupKeyCheck("گذرواژهٔ‌بلند", FAST);
  assert.ok(persian.ok);
});

test("parameters outside the bounds are refused, so a forged header cannot make scrypt eat the machine", async () => {
  for (const bad of [
    { n: 1000, r: 8, p: 1 },
    { n: 2 ** 9, r: 8, p: 1 },
    { n: 2 ** 21, r: 8, p: 1 },
    { n: 2 ** 20, r: 32, p: 1 },
    { n: 2 ** 14, r: 0, p: 1 },
    { n: 2 ** 14, r: 8, p: 17 },
  ]) {
    assert.ok(scryptParametersProblem(bad), JSON.stringify(bad));
    const made = await makeBackupKeyCheck(PASSPHRASE, bad);
    assert.is(made.ok ? "ok" : made.error.code, "INVALID_KEY_CHECK");
  }
  const check = await makeBackupKeyCheck(PASSPHRASE, FAST);
  if (!check.ok) return assert.unreachable();
  assert.ok(keyCheckProblem({ ...check.value, salt: "c2hvcnQ=" }), "a short salt");
  assert.ok(keyCheckProblem({ ...check.value, publicKey: "not a key" }));
  const forged = await unlockBackupKey(PASSPHRASE, { ...check.value, n: 2 ** 30 });
  assert.is(forged.ok ? "ok" : forged.error.code, "INVALID_KEY_CHECK");
});

test.run();
