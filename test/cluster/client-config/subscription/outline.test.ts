import { test } from "uvu";
import * as assert from "uvu/assert";
import { renderOutline } from "../../../../cluster/client-config/subscription/outline.ts";
import { shadowsocksEntry, threeEntries, wireGuardEntry } from "./support.ts";

test("Outline gets its dynamic access key: the first Shadowsocks server, with the four fields it needs", () => {
  const entries = threeEntries();
  const rendered = renderOutline(entries);
  assert.match(rendered.contentType, /^application\/json/);
  const key = JSON.parse(rendered.body);
  const ss = entries[1]!;
  assert.ok(ss.kind === "shadowsocks");
  assert.equal(key, {
    server: ss.host,
    server_port: ss.port,
    password: ss.password,
    method: ss.method,
  });
});

test("without a Shadowsocks entry Outline gets the error object it shows to the user", () => {
  const key = JSON.parse(renderOutline([wireGuardEntry()]).body);
  assert.type(key.error.message, "string");
  assert.is(key.server, undefined);
  assert.is(JSON.parse(renderOutline([shadowsocksEntry()]).body).error, undefined);
});

test.run();
