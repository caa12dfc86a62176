/**
 * The probe agent's self-signed certificate: made once on first start in its
 * data directory (the key 0600), kept for every later start, never
 * overwritten or completed, and its fingerprint is the one clients compute.
 */
import { createPrivateKey, X509Certificate } from "node:crypto";
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  agentCertificate,
  makeSelfSignedCertificate,
  selfSignedCertificate,
  selfSignedPaths,
} from "../../probe-agent/agent-tls.ts";

const root = mkdtempSync(join(tmpdir(), "nexaloak-agent-tls-"));
test.after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = () => join(root, `data-${++dirs}`);

async function kept(dataDir: string) {
  const result = await selfSignedCertificate(dataDir);
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

test("the first start makes a pair: the key 0600 in a 0700 directory, the fingerprint the certificate's own", async () => {
  const dataDir = freshDir();
  const made = await kept(dataDir);
  assert.is(made.created, true);
  assert.equal(made.warnings, []);
  const paths = selfSignedPaths(dataDir);
  assert.is(statSync(paths.key).mode & 0o777, 0o600);
  assert.is(statSync(paths.dir).mode & 0o777, 0o700);
  const certificate = new X509Certificate(readFileSync(paths.cert));
  assert.is(made.certSha256, certificate.fingerprint256);
  assert.is(certificate.subject, "CN=localhost", "the certificate names nothing about the product");
  assert.ok(certificate.checkPrivateKey(createPrivateKey(readFileSync(paths.key))));
  const validTo = new Date(certificate.validTo).getTime();
  assert.ok(
    validTo > Date.now() + 9 * 365 * 24 * 3600 * 1000,
    "valid for years: the pin is what counts",
  );
});

test("a later start keeps the pair it finds, byte for byte", async () => {
  const dataDir = freshDir();
  const first = await kept(dataDir);
  const paths = selfSignedPaths(dataDir);
  const before = [readFileSync(paths.cert), readFileSync(paths.key)];
  const second = await kept(dataDir);
  assert.is(second.created, false);
  assert.is(second.certSha256, first.certSha256);
  assert.equal([readFileSync(paths.cert), readFileSync(paths.key)], before);
});

test("two agents starting at once on one directory end up with one pair", async () => {
  const dataDir = freshDir();
  const [a, b] = await Promise.all([kept(dataDir), kept(dataDir)]);
  assert.is(a.certSha256, b.certSha256);
  assert.is((await kept(dataDir)).certSha256, a.certSha256);
});

test("a directory holding only the certificate, or only the key, is refused and left as it is", async () => {
  for (const lone of ["cert.pem", "key.pem"]) {
    const dataDir = freshDir();
    const paths = selfSignedPaths(dataDir);
    mkdirSync(paths.dir, { recursive: true });
    writeFileSync(join(paths.dir, lone), "what the operator had");
    const result = await selfSignedCertificate(dataDir);
    assert.not.ok(result.ok, lone);
    if (!result.ok) {
      assert.is(result.error.code, "BAD_CERTIFICATE");
      assert.match(result.error.message, /will not overwrite or complete it/);
      assert.match(result.error.message, /pinned again/);
    }
    assert.is(readFileSync(join(paths.dir, lone), "utf8"), "what the operator had");
  }
});

test("a key others can read is used, with a warning", async () => {
  const dataDir = freshDir();
  await kept(dataDir);
  chmodSync(selfSignedPaths(dataDir).key, 0o644);
  const again = await kept(dataDir);
  assert.is(again.warnings.length, 1);
  assert.match(again.warnings[0]!, /can be read by others \(mode 0644\); chmod 600 it/);
});

test("a certificate with another certificate's key, or with no key at all, is refused", async () => {
  const one = await makeSelfSignedCertificate();
  const other = await makeSelfSignedCertificate();
  const mismatched = agentCertificate(Buffer.from(one.cert), Buffer.from(other.key), "the files");
  assert.not.ok(mismatched.ok);
  if (!mismatched.ok) assert.match(mismatched.error.message, /^the files: the key does not belong/);
  const notKey = agentCertificate(Buffer.from(one.cert), Buffer.from("junk"), "the files");
  assert.not.ok(notKey.ok);
  const notCert = agentCertificate(Buffer.from("junk"), Buffer.from(one.key), "the files");
  assert.not.ok(notCert.ok);
  const matching = agentCertificate(Buffer.from(one.cert), Buffer.from(one.key), "the files");
  assert.ok(matching.ok);
  if (matching.ok)
    assert.is(matching.value.certSha256, new X509Certificate(one.cert).fingerprint256);
});

test.run();
