import { test } from "uvu";
import * as assert from "uvu/assert";
import { normalizeAddress } from "../../shared/ip-address.ts";

test("addresses are normalized: IPv4-mapped IPv6 stripped, IPv6 compressed, junk refused", () => {
  assert.is(normalizeAddress("::ffff:203.0.113.5"), "203.0.113.5");
  assert.is(normalizeAddress("::FFFF:127.0.0.1"), "127.0.0.1");
  assert.is(normalizeAddress(" 198.51.100.1 "), "198.51.100.1");
  assert.is(normalizeAddress("2001:DB8:0:0::1"), "2001:db8::1");
  for (const junk of ["", "host.example", "300.1.1.1", "fe80::1%eth0", "1.2.3.4:80"]) {
    assert.is(normalizeAddress(junk), null, junk);
  }
});

test.run();
