import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  parseShadowsocksKey,
  renderShadowsocksKey,
} from "../../../cluster/client-config/shadowsocks-key.ts";
import { SHADOWSOCKS_METHODS } from "../../../shared/shadowsocks-method.ts";

const key = {
  host: "vpn1.example.net",
  port: 20000,
  method: "chacha20-ietf-poly1305",
  password: "pw+/=",
  name: "NexaLoak de",
};

test("an access key is SIP002: base64url userinfo of method:password, host:port, #name", () => {
  const rendered = renderShadowsocksKey(key);
  const userinfo = Buffer.from("chacha20-ietf-poly1305:pw+/=").toString("base64url");
  assert.equal(rendered, {
    ok: true,
    value: `ss://${userinfo}@vpn1.example.net:20000#NexaLoak%20de`,
  });
  assert.not.match(userinfo, /[+/=]/, "unpadded base64url, safe in a URL");
});

test("an IPv6 host is bracketed, and a name in any script is percent-encoded", () => {
  const rendered = renderShadowsocksKey({ ...key, host: "2001:db8::1", name: "سرور ۱" });
  assert.ok(rendered.ok);
  assert.match(rendered.value, /@\[2001:db8::1\]:20000#%D8%B3/);
  assert.equal(parseShadowsocksKey(rendered.value), {
    ...key,
    host: "2001:db8::1",
    name: "سرور ۱",
  });
});

test("values no client could use are refused, each named", () => {
  const rendered = renderShadowsocksKey({
    ...key,
    method: "rc4-md5",
    password: "",
    host: "bad host",
    port: 0,
  });
  assert.not.ok(rendered.ok);
  if (!rendered.ok) {
    assert.is(rendered.error.code, "INVALID_SHADOWSOCKS_KEY");
    for (const part of ["method", "password", "host", "port"])
      assert.match(rendered.error.message, part);
  }
});

test("keys as other tools write them are read too: padded standard base64, a plugin query", () => {
  const padded = Buffer.from("aes-256-gcm:secret").toString("base64");
  assert.equal(parseShadowsocksKey(`ss://${padded}@10.0.0.1:8388/?plugin=x#A`), {
    host: "10.0.0.1",
    port: 8388,
    method: "aes-256-gcm",
    password: "secret",
    name: "A",
  });
  for (const bad of [
    "",
    "ss://",
    "http://a@b:1",
    "ss://YQ@host:1",
    "ss://YTpi@host:99999",
    "ss://YTpi@host",
  ])
    assert.is(parseShadowsocksKey(bad), undefined, bad);
});

test("property: every rendered key reads back as it was", () => {
  fc.assert(
    fc.property(
      fc.record({
        host: fc.oneof(fc.domain(), fc.ipV4(), fc.ipV6()),
        port: fc.integer({ min: 1, max: 65_535 }),
        method: fc.constantFrom(...SHADOWSOCKS_METHODS),
        password: fc.string({ minLength: 1, maxLength: 64 }),
        name: fc.string({ maxLength: 40 }),
      }),
      (input) => {
        const rendered = renderShadowsocksKey(input);
        assert.ok(rendered.ok, rendered.ok ? "" : rendered.error.message);
        if (rendered.ok) {
          const parsed = parseShadowsocksKey(rendered.value);
          assert.equal(parsed, { ...input, host: parsed?.host ?? "" });
          assert.is(parsed!.host.toLowerCase(), input.host.toLowerCase().replace(/^\[|\]$/g, ""));
        }
      },
    ),
    { numRuns: 500 },
  );
});

test.run();
