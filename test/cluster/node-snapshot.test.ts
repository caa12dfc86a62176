import { test } from "uvu";
import * as assert from "uvu/assert";
import { decodeNodeSnapshot, encodeNodeSnapshot } from "../../cluster/node-snapshot.ts";

test("a node snapshot round-trips its members and keeps the state text byte for byte", () => {
  const state = '{"version":2,"text":"line one\\nline two","quote":"\\""}\nsecond line';
  const members = { n1: "ws://127.0.0.1:7001", n2: "wss://vpn2.example.net" };
  const encoded = encodeNodeSnapshot({ members, state, stateVersion: 1 });
  assert.ok(encoded.endsWith(state), "the state is stored raw, not escaped");
  assert.equal(decodeNodeSnapshot(encoded), { members, state, stateVersion: 1 });
});

test("a snapshot of state version 1 has the header every release reads; a later version is written into it", () => {
  const members = { n1: "ws://127.0.0.1:7001" };
  const first = encodeNodeSnapshot({ members, state: "{}", stateVersion: 1 });
  assert.ok(first.startsWith("nexaloak-snapshot/1\n"), first);
  assert.equal(decodeNodeSnapshot(first), { members, state: "{}", stateVersion: 1 });
  const later = encodeNodeSnapshot({ members, state: "{}", stateVersion: 3 });
  assert.ok(later.startsWith("nexaloak-snapshot/1 state-version=3\n"), later);
  assert.equal(decodeNodeSnapshot(later), { members, state: "{}", stateVersion: 3 });
});

test("anything that is not a node snapshot is refused", () => {
  for (const data of [
    "",
    "{}",
    "nexaloak-snapshot/1",
    "nexaloak-snapshot/9\n{}\nstate",
    "nexaloak-snapshot/1 state-version=0\n{}\nstate",
    "nexaloak-snapshot/1 state-version=02\n{}\nstate",
    "nexaloak-snapshot/1 state-version=x\n{}\nstate",
  ]) {
    assert.throws(() => decodeNodeSnapshot(data), /not a nexaloak-snapshot\/1 snapshot/);
  }
});

test.run();
