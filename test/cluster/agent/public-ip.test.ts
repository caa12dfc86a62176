import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  type AddressReport,
  majorityAddress,
  publicAddressChange,
} from "../../../cluster/agent/public-ip.ts";

const report = (reporterId: string, observedAddress: string): AddressReport => ({
  reporterId,
  observedAddress,
});

test("a strict majority of distinct reporters decides", () => {
  assert.is(
    majorityAddress([
      report("b", "203.0.113.5"),
      report("c", "203.0.113.5"),
      report("d", "198.51.100.9"),
    ]),
    "203.0.113.5",
  );
});

test("a tie or a split view decides nothing", () => {
  assert.is(majorityAddress([report("b", "203.0.113.5"), report("c", "198.51.100.9")]), null);
  assert.is(
    majorityAddress([
      report("b", "203.0.113.1"),
      report("c", "203.0.113.2"),
      report("d", "203.0.113.3"),
    ]),
    null,
  );
  assert.is(majorityAddress([]), null);
});

test("each reporter counts once, with its latest report", () => {
  const reports = [
    report("b", "198.51.100.9"),
    report("b", "198.51.100.9"),
    report("b", "198.51.100.9"),
    report("c", "203.0.113.5"),
    report("b", "203.0.113.5"),
  ];
  assert.is(majorityAddress(reports), "203.0.113.5");
  // Repeating one reporter cannot outvote two others.
  const stuffed = [
    ...Array.from({ length: 5 }, () => report("b", "198.51.100.9")),
    report("c", "203.0.113.5"),
    report("d", "203.0.113.5"),
  ];
  assert.is(majorityAddress(stuffed), "203.0.113.5");
});

test("spellings of one address count together", () => {
  assert.is(
    majorityAddress([report("b", "::ffff:203.0.113.5"), report("c", "203.0.113.5")]),
    "203.0.113.5",
  );
  assert.is(
    majorityAddress([report("b", "2001:db8::1"), report("c", "2001:DB8:0::1")]),
    "2001:db8::1",
  );
});

test("on one machine every view is loopback, and loopback wins", () => {
  const reports = [report("b", "127.0.0.1"), report("c", "::ffff:127.0.0.1")];
  assert.is(majorityAddress(reports), "127.0.0.1");
});

test("loopback views are ignored when some peer sees a real address", () => {
  const reports = [report("b", "127.0.0.1"), report("c", "127.0.0.1"), report("d", "203.0.113.5")];
  assert.is(majorityAddress(reports), "203.0.113.5");
});

test("private views are ignored when some peer sees a public address", () => {
  const sameRack = [report("b", "10.0.0.5"), report("c", "10.0.0.5"), report("d", "203.0.113.5")];
  assert.is(majorityAddress(sameRack), "203.0.113.5");
  const privateOnly = [
    report("b", "192.168.1.5"),
    report("c", "192.168.1.5"),
    report("d", "127.0.0.1"),
  ];
  assert.is(majorityAddress(privateOnly), "192.168.1.5");
  const ula = [report("b", "fd12:3456::5"), report("c", "2001:db8::5")];
  assert.is(majorityAddress(ula), "2001:db8::5");
  // 100.64.0.0/10 is carrier-grade NAT; 100.128.0.1 is outside it and public.
  const cgnat = [report("b", "100.64.1.1"), report("c", "100.128.0.1")];
  assert.is(majorityAddress(cgnat), "100.128.0.1");
});

test("a change is proposed only when the majority differs from the current endpoint", () => {
  const reports = [report("b", "203.0.113.5"), report("c", "203.0.113.5")];
  assert.is(publicAddressChange(reports, null), "203.0.113.5");
  assert.is(publicAddressChange(reports, "198.51.100.9"), "203.0.113.5");
  assert.is(publicAddressChange(reports, "203.0.113.5"), null);
  assert.is(publicAddressChange(reports, "::ffff:203.0.113.5"), null);
  assert.is(
    publicAddressChange([report("b", "203.0.113.5"), report("c", "198.51.100.9")], "192.0.2.1"),
    null,
  );
});

test("two nodes changing address at once: each learns its own new address", () => {
  // Nodes a, b, c; a moves 203.0.113.1 -> 198.51.100.1 and b moves 203.0.113.2 -> 198.51.100.2
  // at the same moment. Each node's reports come from the two others.
  const before = {
    a: [report("b", "203.0.113.1"), report("c", "203.0.113.1")],
    b: [report("a", "203.0.113.2"), report("c", "203.0.113.2")],
    c: [report("a", "203.0.113.3"), report("b", "203.0.113.3")],
  };
  const current = { a: "203.0.113.1", b: "203.0.113.2", c: "203.0.113.3" };
  for (const node of ["a", "b", "c"] as const) {
    assert.is(publicAddressChange(before[node], current[node]), null, node);
  }
  // c has seen both reconnect; a and b each still hold the other's old connection.
  const midway = {
    a: [...before.a, report("c", "198.51.100.1")],
    b: [...before.b, report("c", "198.51.100.2")],
  };
  assert.is(publicAddressChange(midway.a, current.a), null, "a: 1-1 tie, no change yet");
  assert.is(publicAddressChange(midway.b, current.b), null, "b: 1-1 tie, no change yet");
  // a and b reconnect to each other from their new addresses.
  const after = {
    a: [...midway.a, report("b", "198.51.100.1")],
    b: [...midway.b, report("a", "198.51.100.2")],
    c: before.c,
  };
  assert.is(publicAddressChange(after.a, current.a), "198.51.100.1");
  assert.is(publicAddressChange(after.b, current.b), "198.51.100.2");
  assert.is(publicAddressChange(after.c, current.c), null, "c did not move");
});

test("in a 5-node cluster, two stale reporters cannot block the change", () => {
  const reports = [
    report("b", "203.0.113.1"),
    report("c", "203.0.113.1"),
    report("d", "198.51.100.1"),
    report("e", "198.51.100.1"),
    report("f", "198.51.100.1"),
  ];
  assert.is(publicAddressChange(reports, "203.0.113.1"), "198.51.100.1");
});

test.run();
