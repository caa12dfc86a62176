import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  cidrContains,
  cidrEnd,
  cidrsOverlap,
  formatCidr,
  formatIpv4,
  parseCidr,
  parseIpv4,
} from "../../../cluster/fsm/ipv4.ts";

test("dotted quads parse to numbers and format back", () => {
  assert.is(parseIpv4("0.0.0.0"), 0);
  assert.is(parseIpv4("10.64.0.2"), 10 * 2 ** 24 + 64 * 2 ** 16 + 2);
  assert.is(parseIpv4("255.255.255.255"), 2 ** 32 - 1);
  assert.is(formatIpv4(2 ** 32 - 1), "255.255.255.255");
  assert.is(formatIpv4(parseIpv4("10.128.7.1")!), "10.128.7.1");
});

test("addresses above 127.x stay positive (no signed 32-bit arithmetic)", () => {
  assert.ok(parseIpv4("200.1.2.3")! > 0);
  assert.is(formatIpv4(parseIpv4("200.1.2.3")!), "200.1.2.3");
});

test("malformed addresses are refused", () => {
  for (const text of [
    "",
    "10.0.0",
    "10.0.0.256",
    "10.0.0.01",
    "a.b.c.d",
    "10.0.0.1 ",
    "1.2.3.4.5",
  ]) {
    assert.is(parseIpv4(text), undefined, text);
  }
});

test("every address survives a format and parse round trip", () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (value) => {
      assert.is(parseIpv4(formatIpv4(value)), value);
    }),
  );
});

test("a CIDR block must be aligned to its prefix", () => {
  assert.equal(parseCidr("10.64.0.0/10"), { network: parseIpv4("10.64.0.0"), prefixLength: 10 });
  assert.is(parseCidr("10.64.0.1/10"), undefined);
  assert.is(parseCidr("10.65.0.0/10"), undefined);
  assert.is(parseCidr("10.64.0.0/33"), undefined);
  assert.is(parseCidr("10.64.0.0"), undefined);
  assert.is(parseCidr("10.64.0.0/x"), undefined);
  assert.is(formatCidr(parseCidr("10.64.16.0/20")!), "10.64.16.0/20");
});

test("overlap and containment follow the address ranges", () => {
  const pool = parseCidr("10.64.0.0/10")!;
  const first = parseCidr("10.64.0.0/24")!;
  const second = parseCidr("10.64.1.0/24")!;
  const both = parseCidr("10.64.0.0/23")!;
  assert.is(cidrEnd(first), parseIpv4("10.64.1.0"));
  assert.not.ok(cidrsOverlap(first, second));
  assert.ok(cidrsOverlap(first, both));
  assert.ok(cidrsOverlap(both, second));
  assert.ok(cidrContains(pool, both));
  assert.not.ok(cidrContains(first, both));
});

test.run();
