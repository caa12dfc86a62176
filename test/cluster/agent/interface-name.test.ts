import { test } from "uvu";
import * as assert from "uvu/assert";
import { isInterfaceName, toInterfaceName } from "../../../cluster/agent/interface-name.ts";

test("interface names are 1-15 allowed characters, not an option, not . or ..", () => {
  for (const name of ["wg0", "nxl-srv_1", "a", "x".repeat(15), "vpn.de+1="]) {
    assert.ok(isInterfaceName(name), name);
  }
  for (const name of ["", "x".repeat(16), "-h", "wg 0", "wg/0", "wg:0", ".", "..", "wg0\n"]) {
    assert.not.ok(isInterfaceName(name), JSON.stringify(name));
  }
});

test("free text becomes a valid name, or the fallback", () => {
  assert.is(toInterfaceName("nexaloak de 1", "fb"), "nexaloak_de_1");
  assert.is(toInterfaceName("a-very-long-interface-name", "fb"), "a-very-long-int");
  assert.is(toInterfaceName("-leading", "fb"), "leading");
  assert.is(toInterfaceName("", "fb"), "fb");
  assert.is(toInterfaceName(".", "fb"), "fb");
});

test.run();
