import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseHostPort } from "../../shared/host-port.ts";

test("host:port accepts IPv4, bracketed IPv6 and DNS names, and drops the brackets", () => {
  const cases: [string, string, number][] = [
    ["127.0.0.1:7001", "127.0.0.1", 7001],
    ["0.0.0.0:1", "0.0.0.0", 1],
    ["[::1]:7001", "::1", 7001],
    ["[::]:65535", "::", 65535],
    ["[2001:db8::5]:443", "2001:db8::5", 443],
    ["localhost:7001", "localhost", 7001],
    ["vpn-1.example.org:8443", "vpn-1.example.org", 8443],
  ];
  for (const [text, host, port] of cases) {
    assert.equal(parseHostPort(text), { ok: true, value: { host, port } }, text);
  }
});

test("host:port refuses a missing or out-of-range port", () => {
  for (const text of ["127.0.0.1", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536", "h:99999999"]) {
    const parsed = parseHostPort(text);
    assert.is(parsed.ok, false, text);
  }
  const zero = parseHostPort("127.0.0.1:0");
  assert.ok(!zero.ok && /between 1 and 65535/.test(zero.error.message));
});

test("host:port refuses a bad port spelling", () => {
  for (const text of ["127.0.0.1:70o1", "127.0.0.1:-1", "127.0.0.1: 7001", "127.0.0.1:7001 "]) {
    assert.is(parseHostPort(text).ok, false, text);
  }
});

test("an unbracketed IPv6 address is refused with advice to use brackets", () => {
  const parsed = parseHostPort("::1:7001");
  assert.ok(!parsed.ok);
  assert.match(parsed.error.message, /IPv6 host in brackets/);
});

test("brackets must hold an IPv6 address", () => {
  for (const text of ["[127.0.0.1]:7001", "[]:7001", "[vpn1]:7001"]) {
    const parsed = parseHostPort(text);
    assert.ok(!parsed.ok, text);
    assert.match(parsed.error.message, /IPv6 address/);
  }
});

test("a host that is neither an IPv4 address nor a DNS name is refused", () => {
  for (const text of ["300.1.1.1:7001", "1.2.3:7001", "vpn_1:7001", "-vpn:7001", "a..b:7001"]) {
    const parsed = parseHostPort(text);
    assert.ok(!parsed.ok, text);
    assert.match(parsed.error.message, /host must be/);
  }
});

test("an error message never repeats the input", () => {
  const parsed = parseHostPort("hunter2");
  assert.ok(!parsed.ok);
  assert.not.match(parsed.error.message, /hunter2/);
});

test.run();
