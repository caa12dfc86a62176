import { test } from "uvu";
import * as assert from "uvu/assert";
import { raftUrl, requestPath } from "../../../cluster/transport/peer-url.ts";

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

test("a request target's path excludes its query", () => {
  assert.is(requestPath("/raft"), "/raft");
  assert.is(requestPath("/raft?token=1"), "/raft");
  assert.is(requestPath(undefined), "");
});

test.run();
