/**
 * The checks on an admin's new vantage probe, shared by the bot and the
 * admin API: the URL is https:// (pinned or CA-verified), http:// only with
 * an explicit insecure flag, and a fingerprint is read into its canonical form.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { checkVantageProbeInput } from "../../cluster/vantage-probe-input.ts";

const TOKEN = "probe-token-0123456789abcdef";
const HEX = "208e12ca9258be6aff53b393b20faef28579a87321212f66abbf41aefa1da668";
const CANONICAL =
  "20:8E:12:CA:92:58:BE:6A:FF:53:B3:93:B2:0F:AE:F2:85:79:A8:73:21:21:2F:66:AB:BF:41:AE:FA:1D:A6:68";

function problem(input: Record<string, unknown>): string {
  const checked = checkVantageProbeInput({ id: "thr1", token: TOKEN, ...input });
  if (checked.ok) throw new Error(`expected a refusal for ${JSON.stringify(input)}`);
  assert.is(checked.error.code, "INVALID_PROBE");
  assert.not.match(checked.error.message, TOKEN);
  return checked.error.message;
}

test("an https:// URL is accepted unpinned, and pinned in either fingerprint form, stored canonical", () => {
  const unpinned = checkVantageProbeInput({ id: "a", url: "https://a.example", token: TOKEN });
  assert.ok(unpinned.ok);
  if (unpinned.ok) {
    assert.is(unpinned.value.certSha256, undefined);
    assert.is(unpinned.value.insecure, false);
  }
  for (const certSha256 of [HEX, HEX.toUpperCase(), CANONICAL, CANONICAL.toLowerCase()]) {
    const pinned = checkVantageProbeInput({
      id: "a",
      url: "https://10.0.0.5:9190",
      token: TOKEN,
      certSha256,
    });
    assert.ok(pinned.ok, certSha256);
    if (pinned.ok) assert.is(pinned.value.certSha256, CANONICAL);
  }
});

test("an http:// URL is refused unless it is marked insecure, saying why", () => {
  const message = problem({ url: "http://10.0.0.5:9190" });
  assert.match(message, /^url: http:\/\/ would send the probe's token and keys unencrypted/);
  assert.match(message, /use https:\/\//);
  assert.match(message, /insecure/);
  assert.match(problem({ url: "http://10.0.0.5:9190", insecure: false }), /^url: http:\/\//);
  const insecure = checkVantageProbeInput({
    id: "a",
    url: "http://10.0.0.5:9190",
    token: TOKEN,
    insecure: true,
  });
  assert.ok(insecure.ok);
  if (insecure.ok) assert.is(insecure.value.insecure, true);
});

test("insecure with https://, a fingerprint with http://, and a malformed fingerprint are refused", () => {
  assert.match(
    problem({ url: "https://a.example", insecure: true }),
    /^insecure: insecure is only for a plain http:\/\/ URL/,
  );
  assert.match(
    problem({ url: "http://a.example", insecure: true, certSha256: HEX }),
    /^certSha256: a certificate fingerprint pins an https:\/\/ URL's certificate/,
  );
  assert.match(
    problem({ url: "https://a.example", certSha256: HEX.slice(1) }),
    /^certSha256: a SHA-256 certificate fingerprint is 32 bytes in hex/,
  );
  assert.match(
    problem({ url: "https://a.example", certSha256: "x".repeat(500) }),
    /^certSha256: a certificate fingerprint is at most 200 characters/,
  );
  assert.match(problem({ url: "https://a.example", insecure: "yes" }), /^insecure: /);
  assert.match(problem({ url: "ftp://a.example" }), /^url: the URL is http\(s\)/);
  assert.match(problem({ url: "not a url", insecure: true }), /^url: the URL is http\(s\)/);
  assert.match(problem({ url: 42 }), /^url: /);
});

test.run();
