import { test } from "uvu";
import * as assert from "uvu/assert";
import { generateNodeIdentity } from "../../../cluster/identity/node-identity.ts";
import { PeerKeyBook } from "../../../cluster/transport/peer-key-book.ts";
import { committedKeys } from "./committed-keys.ts";

const a = generateNodeIdentity().publicKey;
const b = generateNodeIdentity().publicKey;

function codeOf(book: PeerKeyBook, peerId: string, key: string): string {
  const admission = book.admit(peerId, key);
  return admission.ok ? admission.value : admission.error.code;
}

test("an unpinned member needs the enrollment secret, and its first key then sticks", () => {
  const book = new PeerKeyBook(() => committedKeys(new Map()));
  assert.is(codeOf(book, "n2", a), "needs-enrollment-secret");
  book.remember("n2", a);
  assert.is(codeOf(book, "n2", a), "pinned");
  assert.is(codeOf(book, "n2", b), "KEY_MISMATCH");
  assert.is(codeOf(book, "n3", a), "KEY_OF_ANOTHER_MEMBER");
  book.remember("n2", b);
  assert.is(codeOf(book, "n2", a), "pinned", "a second first contact does not replace the first");
  assert.equal([...book.unpinned()], [["n2", a]]);
});

test("the committed state wins over first contact, and what it pinned leaves the to-pin list", () => {
  const pins = new Map<string, string>();
  const book = new PeerKeyBook(() => committedKeys(pins));
  book.remember("n2", a);
  pins.set("n2", b);
  assert.is(codeOf(book, "n2", b), "pinned");
  assert.is(codeOf(book, "n2", a), "KEY_MISMATCH");
  assert.equal([...book.unpinned()], []);
});

test("before the state is loaded only first contact counts", () => {
  const book = new PeerKeyBook(() => undefined);
  assert.is(codeOf(book, "n2", a), "needs-enrollment-secret");
  book.remember("n2", a);
  assert.is(codeOf(book, "n2", b), "KEY_MISMATCH");
});

test("a member whose key was revoked is not admitted by the enrollment secret under a new key", () => {
  const book = new PeerKeyBook(() => committedKeys(new Map(), new Set([a]), new Set(["n2"])));
  assert.is(codeOf(book, "n2", b), "NODE_REVOKED");
  assert.is(codeOf(book, "n3", b), "needs-enrollment-secret");
});

test("a revoked key is refused whoever presents it", () => {
  const book = new PeerKeyBook(() => committedKeys(new Map(), new Set([a])));
  assert.is(codeOf(book, "n2", a), "KEY_REVOKED");
  assert.is(codeOf(book, "n3", a), "KEY_REVOKED");
});

test.run();
