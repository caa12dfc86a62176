import { test } from "uvu";
import * as assert from "uvu/assert";
import { adminApiBaseUrl, raftUrl, requestPath } from "../../../cluster/transport/peer-url.ts";

test("a peer's base URL is dialed at /raft", () => {
  assert.equal(raftUrl("ws://10.0.0.2:7000"), { ok: true, value: "ws://10.0.0.2:7000/raft" });
  assert.equal(raftUrl("wss://vpn-3.example"), { ok: true, value: "wss://vpn-3.example/raft" });
  assert.equal(raftUrl("ws://10.0.0.2:7000/"), { ok: true, value: "ws://10.0.0.2:7000/raft" });
});

test("a URL that already ends in /raft is kept", () => {
  assert.equal(raftUrl("ws://h:1/raft"), { ok: true, value: "ws://h:1/raft" });
});

test("anything but ws:// or wss:// is refused with a reason", () => {
  for (const bad of ["http://h:1", "h:1", "", "not a url"]) {
    const result = raftUrl(bad);
    assert.is(result.ok, false, bad);
    if (!result.ok) {
      assert.is(result.error.code, "BAD_PEER_URL");
      assert.ok(result.error.message.includes(JSON.stringify(bad)));
    }
  }
});

test("a member's admin API is at its peer URL's host and port, over http(s) for ws(s)", () => {
  assert.is(adminApiBaseUrl("ws://10.0.0.2:7000"), "http://10.0.0.2:7000");
  assert.is(adminApiBaseUrl("ws://10.0.0.2:7000/raft"), "http://10.0.0.2:7000");
  assert.is(adminApiBaseUrl("wss://vpn-3.example:443/"), "https://vpn-3.example");
  assert.is(adminApiBaseUrl("wss://vpn-3.example/nexaloak/raft"), "https://vpn-3.example/nexaloak");
  assert.is(adminApiBaseUrl("ws://[2001:db8::2]:7000"), "http://[2001:db8::2]:7000");
});

test("a URL that is not a peer URL has no admin API URL", () => {
  for (const bad of ["http://h:1", "not a url", ""])
    assert.is(adminApiBaseUrl(bad), undefined, bad);
});

test("a request target's path excludes its query", () => {
  assert.is(requestPath("/raft"), "/raft");
  assert.is(requestPath("/raft?token=1"), "/raft");
  assert.is(requestPath(undefined), "");
});

test.run();
