import { test } from "uvu";
import * as assert from "uvu/assert";
import { renderSip008 } from "../../../../cluster/client-config/subscription/sip008.ts";
import { shadowsocksEntry, threeEntries } from "./support.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test("SIP008: version 1, every Shadowsocks server with a UUID and the fields clients read; WireGuard left out", () => {
  const entries = [...threeEntries(), shadowsocksEntry({ name: "fi-ss-4", port: 20002 })];
  const document = JSON.parse(renderSip008(entries, { uploadBytes: 5, downloadBytes: 7 }).body) as {
    version: number;
    servers: Array<Record<string, unknown>>;
    bytes_used: number;
  };
  assert.is(document.version, 1);
  assert.is(document.bytes_used, 12);
  assert.is(document.servers.length, 2);
  for (const server of document.servers) {
    assert.match(String(server.id), UUID);
    assert.type(server.server, "string");
    assert.type(server.server_port, "number");
    assert.type(server.password, "string");
    assert.is(server.method, "chacha20-ietf-poly1305");
  }
  assert.is.not(document.servers[0]!.id, document.servers[1]!.id);
  assert.equal(
    document.servers.map((server) => server.remarks),
    ["nl-ss-2", "fi-ss-4"],
  );
});

test("an entry keeps its SIP008 id across refreshes, so clients update rather than duplicate it", () => {
  const entries = [shadowsocksEntry({ password: "one" })];
  const first = JSON.parse(renderSip008(entries, { uploadBytes: 0, downloadBytes: 0 }).body);
  const again = JSON.parse(
    renderSip008([shadowsocksEntry({ password: "two" })], { uploadBytes: 0, downloadBytes: 0 })
      .body,
  );
  assert.is(first.servers[0].id, again.servers[0].id);
});

test.run();
