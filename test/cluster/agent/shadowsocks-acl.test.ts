import { test } from "uvu";
import * as assert from "uvu/assert";
import { renderShadowsocksAcl } from "../../../cluster/agent/shadowsocks-acl.ts";

test("the networks become ss-server's outbound block list, one per line", () => {
  assert.is(
    renderShadowsocksAcl(["127.0.0.0/8", "::ffff:0:0/96"]),
    "[outbound_block_list]\n127.0.0.0/8\n::ffff:0:0/96\n",
  );
});

test.run();
