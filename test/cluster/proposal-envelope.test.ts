import { test } from "uvu";
import * as assert from "uvu/assert";
import { decodeEnvelope, encodeEnvelope, stampForwarded } from "../../cluster/proposal-envelope.ts";

test("an envelope carries the request id and the command, and the forwarder once stamped", () => {
  const plain = encodeEnvelope({ requestId: "r1", command: '{"type":"x"}' });
  assert.equal(decodeEnvelope(plain), { requestId: "r1", command: '{"type":"x"}' });
  assert.equal(decodeEnvelope(stampForwarded(plain, "n2")), {
    requestId: "r1",
    command: '{"type":"x"}',
    forwardedBy: "n2",
  });
});

test("the leader's stamp replaces whatever the forwarding peer claimed", () => {
  const claimed = encodeEnvelope({ requestId: "r1", command: "{}", forwardedBy: "n1" });
  assert.is(decodeEnvelope(stampForwarded(claimed, "n2"))?.forwardedBy, "n2");
  const claimedByHand = JSON.stringify({ r: "r1", c: "{}", f: "n1" });
  assert.is(decodeEnvelope(stampForwarded(claimedByHand, "n3"))?.forwardedBy, "n3");
});

test("data that is not an envelope is left alone, and a forwarder that is not text makes no envelope", () => {
  assert.is(stampForwarded("", "n2"), "");
  assert.is(stampForwarded("not json", "n2"), "not json");
  assert.is(decodeEnvelope(JSON.stringify({ r: "r1", c: "{}", f: 7 })), undefined);
});

test.run();
