import { test } from "uvu";
import * as assert from "uvu/assert";
import { parsePeerList } from "../../shared/peer-list.ts";

function peersOf(text: string): [string, string][] {
  const parsed = parsePeerList(text);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return [...parsed.value];
}

function problemOf(text: string): string {
  const parsed = parsePeerList(text);
  if (parsed.ok) throw new Error(`expected ${JSON.stringify(text)} to be refused`);
  return parsed.error.message;
}

test("a peer list maps ids to base URLs in the order given", () => {
  assert.equal(
    peersOf("n2=ws://127.0.0.1:7002,n1=wss://vpn1.example.org:8443,n3=ws://[::1]:7003"),
    [
      ["n2", "ws://127.0.0.1:7002"],
      ["n1", "wss://vpn1.example.org:8443"],
      ["n3", "ws://[::1]:7003"],
    ],
  );
});

test("whitespace around entries is ignored and URLs are normalised", () => {
  assert.equal(peersOf(" n1 = ws://127.0.0.1:7001/ ,\tn2=WSS://VPN2.example.org:443 "), [
    ["n1", "ws://127.0.0.1:7001"],
    ["n2", "wss://vpn2.example.org"],
  ]);
});

test("an entry without '=' is refused", () => {
  assert.match(problemOf("n1=ws://127.0.0.1:7001,ws://127.0.0.1:7002"), /entry 2 .* must be id=/);
});

test("an empty entry, as from a doubled or trailing comma, is refused", () => {
  assert.match(problemOf("n1=ws://127.0.0.1:7001,,n2=ws://127.0.0.1:7002"), /entry 2 ""/);
  assert.match(problemOf("n1=ws://127.0.0.1:7001,"), /entry 2 ""/);
});

test("an id that is not a valid node id is refused", () => {
  assert.match(problemOf("N1=ws://127.0.0.1:7001"), /entry 1: id "N1" must be/);
  assert.match(problemOf("=ws://127.0.0.1:7001"), /entry 1: id "" must be/);
});

test("an id listed twice is refused", () => {
  assert.match(
    problemOf("n1=ws://127.0.0.1:7001,n1=ws://127.0.0.1:7002"),
    /entry 2: id "n1" appears more than once/,
  );
});

test("two ids with the same URL are refused", () => {
  assert.match(
    problemOf("n1=ws://127.0.0.1:7001,n2=ws://127.0.0.1:7001/"),
    /entry 2: ws:\/\/127.0.0.1:7001 is already the URL of n1/,
  );
});

test("a URL that is not ws:// or wss:// is refused", () => {
  for (const url of ["http://127.0.0.1:7001", "127.0.0.1:7001", "ws//127.0.0.1:7001", ""]) {
    assert.match(problemOf(`n1=${url}`), /must be ws:\/\/host:port or wss:\/\/host:port/, url);
  }
});

test("a URL with a path, query, fragment or user is refused", () => {
  for (const url of [
    "ws://127.0.0.1:7001/raft",
    "ws://127.0.0.1:7001?a=1",
    "ws://127.0.0.1:7001#x",
    "ws://me:pw@127.0.0.1:7001",
  ]) {
    assert.match(problemOf(`n1=${url}`), /no path, query or user/, url);
  }
});

test("every bad entry is reported at once", () => {
  const message = problemOf("n1=http://a:1,N2=ws://b:2,n3");
  assert.match(message, /entry 1:/);
  assert.match(message, /entry 2:/);
  assert.match(message, /entry 3 /);
});

test.run();
