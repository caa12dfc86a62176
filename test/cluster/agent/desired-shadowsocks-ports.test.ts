import { test } from "uvu";
import * as assert from "uvu/assert";
import { diffPorts, isEmptyPortDiff } from "../../../cluster/agent/desired-shadowsocks-ports.ts";

const port = (number: number, password = "pw", method = "chacha20-ietf-poly1305") => ({
  port: number,
  password,
  method,
});

test("ports gone from the state are removed, new ones added, the rest left alone", () => {
  const diff = diffPorts([port(1), port(3)], [port(1), port(2)]);
  assert.equal(diff, { remove: [2], add: [port(3)] });
});

test("a port with another password or cipher is removed and added again", () => {
  const diff = diffPorts([port(1, "new"), port(2, "pw", "aes-256-gcm")], [port(1), port(2)]);
  assert.equal(diff, { remove: [1, 2], add: [port(1, "new"), port(2, "pw", "aes-256-gcm")] });
});

test("the same ports make an empty diff", () => {
  assert.ok(isEmptyPortDiff(diffPorts([port(1), port(2)], [port(2), port(1)])));
});

test.run();
