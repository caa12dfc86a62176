import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  decodeEnvelope,
  encodeEnvelope,
  stampForwarded,
  stateVersionOf,
} from "../../cluster/proposal-envelope.ts";

test("an envelope carries the request id and the command, and the forwarder once stamped", () => {
  const plain = encodeEnvelope({ requestId: "r1", command: '{"type":"x"}' });
  assert.equal(decodeEnvelope(plain), { requestId: "r1", command: '{"type":"x"}' });
  assert.equal(decodeEnvelope(stampForwarded(plain, "n2", 1)!), {
    requestId: "r1",
    command: '{"type":"x"}',
    forwardedBy: "n2",
  });
});

test("the leader's stamp replaces whatever the forwarding peer claimed", () => {
  const claimed = encodeEnvelope({ requestId: "r1", command: "{}", forwardedBy: "n1" });
  assert.is(decodeEnvelope(stampForwarded(claimed, "n2", 1)!)?.forwardedBy, "n2");
  const claimedByHand = JSON.stringify({ r: "r1", c: "{}", f: "n1" });
  assert.is(decodeEnvelope(stampForwarded(claimedByHand, "n3", 1)!)?.forwardedBy, "n3");
});

test("data that is not an envelope is left alone, and a forwarder that is not text makes no envelope", () => {
  assert.is(stampForwarded("", "n2", 1), "");
  assert.is(stampForwarded("not json", "n2", 1), "not json");
  assert.is(decodeEnvelope(JSON.stringify({ r: "r1", c: "{}", f: 7 })), undefined);
});

test("an envelope carries its proposer's state version; one written before versions is version 1", () => {
  const stamped = encodeEnvelope({ requestId: "r1", command: "{}", stateVersion: 3 });
  assert.is(stateVersionOf(decodeEnvelope(stamped)!), 3);
  assert.is(stateVersionOf(decodeEnvelope(JSON.stringify({ r: "r1", c: "{}" }))!), 1);
  for (const v of [0, -1, 1.5, "2", null])
    assert.is(decodeEnvelope(JSON.stringify({ r: "r1", c: "{}", v })), undefined, String(v));
});

test("a forwarded proposal of a later state version than the leader's is dropped; an earlier or equal one keeps its version", () => {
  const later = encodeEnvelope({ requestId: "r1", command: "{}", stateVersion: 3 });
  assert.is(stampForwarded(later, "n2", 2), undefined);
  const same = decodeEnvelope(stampForwarded(later, "n2", 3)!);
  assert.equal(same, { requestId: "r1", command: "{}", stateVersion: 3, forwardedBy: "n2" });
  const earlier = decodeEnvelope(stampForwarded(later, "n2", 4)!);
  assert.is(earlier?.stateVersion, 3);
});

test.run();
