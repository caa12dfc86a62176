/**
 * SHA-256 certificate fingerprints: what an admin types (the `AB:CD:...` form
 * tools print, or plain hex, any case) is read into one canonical form, the
 * one the agent logs and the client compares.
 */
import { createHash } from "node:crypto";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  CERT_SHA256_PATTERN,
  certSha256OfDer,
  parseCertSha256,
  shortCertSha256,
} from "../../shared/cert-fingerprint.ts";

const HEX = "208e12ca9258be6aff53b393b20faef28579a87321212f66abbf41aefa1da668";
const CANONICAL =
  "20:8E:12:CA:92:58:BE:6A:FF:53:B3:93:B2:0F:AE:F2:85:79:A8:73:21:21:2F:66:AB:BF:41:AE:FA:1D:A6:68";

function parsed(text: string): string {
  const result = parseCertSha256(text);
  if (!result.ok) throw new Error(`${text}: ${result.error.message}`);
  return result.value;
}

test("the colon form and plain hex, in any case, all read as the canonical colon form", () => {
  for (const text of [
    CANONICAL,
    CANONICAL.toLowerCase(),
    HEX,
    HEX.toUpperCase(),
    ` ${CANONICAL} `,
    `sha256:${HEX}`,
    `SHA256=${CANONICAL}`,
    `sha256 Fingerprint=${CANONICAL}`,
    `SHA-256:${CANONICAL.toLowerCase()}`,
  ])
    assert.is(parsed(text), CANONICAL, text);
  assert.match(CANONICAL, CERT_SHA256_PATTERN);
});

test("anything else is refused with the rule, never the value", () => {
  for (const text of [
    "",
    HEX.slice(2),
    `${HEX}00`,
    HEX.replace("2", "g"),
    CANONICAL.slice(3),
    `${CANONICAL}:00`,
    CANONICAL.replaceAll(":", "-"),
    CANONICAL.replace(":", "::"),
    "2:08E:12:CA:92:58:BE:6A:FF:53:B3:93:B2:0F:AE:F2:85:79:A8:73:21:21:2F:66:AB:BF:41:AE:FA:1D:A6:68",
    `sha1:${HEX}`,
  ]) {
    const result = parseCertSha256(text);
    assert.not.ok(result.ok, text);
    if (!result.ok) {
      assert.is(result.error.code, "INVALID_FINGERPRINT");
      assert.match(result.error.message, /SHA-256 certificate fingerprint is 32 bytes/);
    }
  }
});

test("a certificate's fingerprint is the SHA-256 of its DER bytes", () => {
  const der = Buffer.from("not really a certificate, but bytes all the same");
  const hex = createHash("sha256").update(der).digest("hex");
  assert.is(certSha256OfDer(der), parsed(hex));
  // test/probe-agent/agent-tls.test.ts checks it against X509Certificate's own fingerprint256.
});

test("the short form keeps the first six bytes and the last two", () => {
  assert.is(shortCertSha256(CANONICAL), "20:8E:12:CA:92:58…A6:68");
  assert.is(shortCertSha256("not a fingerprint"), "not a fingerprint");
});

test.run();
