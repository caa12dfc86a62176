import { test } from "uvu";
import * as assert from "uvu/assert";
import { isCidr } from "../../../cluster/agent/cidr.ts";

test("address/prefix with a prefix that fits the address family", () => {
  for (const text of ["10.64.0.2/32", "0.0.0.0/0", "::/0", "fd00::3/128", "2001:db8::/32"]) {
    assert.ok(isCidr(text), text);
  }
});

test("no prefix, a prefix too long, a bad address or extra parts are refused", () => {
  for (const text of [
    "10.64.0.2",
    "10.64.0.2/33",
    "::/129",
    "10.64.0/24",
    "a/1",
    "1.2.3.4/1/2",
    "1.2.3.4/",
    "1.2.3.4/-1",
    "1.2.3.4/ 8",
  ]) {
    assert.not.ok(isCidr(text), text);
  }
});

test.run();
