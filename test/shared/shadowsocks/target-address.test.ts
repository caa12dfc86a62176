import { test } from "uvu";
import * as assert from "uvu/assert";
import { encodeTargetAddress } from "../../../shared/shadowsocks/target-address.ts";

function hex(host: string, port: number): string {
  const encoded = encodeTargetAddress(host, port);
  if (!encoded.ok) throw new Error(encoded.error.message);
  return encoded.value.toString("hex");
}

test("an IPv4 address is ATYP 1, four bytes and the port big-endian", () => {
  assert.is(hex("192.0.2.10", 8080), "01c000020a1f90");
});

test("an IPv6 address is ATYP 4 and sixteen bytes, with :: expanded", () => {
  assert.is(hex("2001:db8::1", 443), "0420010db8000000000000000000000001" + "01bb");
  assert.is(hex("::1", 80), `04${"00".repeat(15)}01` + "0050");
});

test("a name is ATYP 3, its length and its bytes", () => {
  assert.is(hex("node.example", 7001), `030c${Buffer.from("node.example").toString("hex")}1b59`);
});

test("a port out of range or a name longer than 255 bytes is refused", () => {
  for (const [host, port] of [
    ["192.0.2.1", 0],
    ["192.0.2.1", 65_536],
    ["192.0.2.1", 1.5],
    ["a".repeat(256), 80],
    ["", 80],
  ] as const) {
    const encoded = encodeTargetAddress(host, port);
    assert.is(encoded.ok, false, `${host}:${port}`);
    if (!encoded.ok) assert.is(encoded.error.code, "SHADOWSOCKS_BAD_TARGET");
  }
});

test.run();
