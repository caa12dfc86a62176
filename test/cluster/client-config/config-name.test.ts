import { test } from "uvu";
import * as assert from "uvu/assert";
import { isInterfaceName } from "../../../cluster/agent/interface-name.ts";
import {
  configFileName,
  configName,
  configNames,
} from "../../../cluster/client-config/config-name.ts";

test("a config is named after its server and its number among its owner's configs", () => {
  assert.is(configName("n1", 1), "nexaloak-n1-1");
  assert.is(configName("n1", 2), "nexaloak-n1-2");
  assert.is(configFileName(configName("n1", 2)), "nexaloak-n1-2.conf");
});

test("the brand gives way when the server's id is long, then the server's id is cut short", () => {
  assert.is(configName("de-fra-1", 3), "de-fra-1-3");
  assert.is(configName("frankfurt-main-01", 12), "frankfurt-ma-12");
  assert.is(configName("frankfurt-main-01", 123).length, 15);
  assert.is(configName("a".repeat(32), 123456), `${"a".repeat(8)}-123456`);
});

test("two configs of one user never share a name, whichever servers they are on", () => {
  const servers = ["n1", "n1", "de-fra-1", "frankfurt-main-01", "frankfurt-main-02", "n1"];
  const names = configNames(servers.map((serverId) => ({ serverId })));
  assert.equal(names.slice(0, 3), ["nexaloak-n1-1", "nexaloak-n1-2", "de-fra-1-3"]);
  assert.is(new Set(names).size, names.length, names.join(" "));
  for (let ordinal = 1; ordinal <= 2000; ordinal++) {
    for (const server of ["n1", "frankfurt-main-01", "x".repeat(32)])
      assert.ok(isInterfaceName(configName(server, ordinal)), `${server} ${ordinal}`);
  }
});

test("every name is a tunnel name WireGuard apps accept", () => {
  for (const server of ["n1", "-lead", "a".repeat(32), "n-1-"]) {
    const name = configName(server, 7);
    assert.match(name, /^[A-Za-z0-9_=+.-]{1,15}$/, server);
    assert.ok(isInterfaceName(name), name);
  }
});

test.run();
