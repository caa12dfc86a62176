import { test } from "uvu";
import * as assert from "uvu/assert";
import { generateNodeIdentity } from "../../cluster/identity/node-identity.ts";
import { signObservedAddress, verifyObservedAddress } from "../../cluster/observed-address.ts";

const reporter = generateNodeIdentity();
const NONCE = "N".repeat(43);

test("a peer's signed statement verifies for the asker and the nonce it was made for", () => {
  const statement = signObservedAddress(reporter, "n1", NONCE, "203.0.113.7");
  assert.ok(verifyObservedAddress(reporter.publicKey, "n1", NONCE, statement));
});

test("an address rewritten on the way does not verify", () => {
  const statement = signObservedAddress(reporter, "n1", NONCE, "203.0.113.7");
  assert.not.ok(
    verifyObservedAddress(reporter.publicKey, "n1", NONCE, {
      ...statement,
      address: "198.51.100.66",
    }),
  );
});

test("an answer replayed for another question or another asker does not verify", () => {
  const statement = signObservedAddress(reporter, "n1", NONCE, "203.0.113.7");
  assert.not.ok(verifyObservedAddress(reporter.publicKey, "n1", "M".repeat(43), statement));
  assert.not.ok(verifyObservedAddress(reporter.publicKey, "n2", NONCE, statement));
});

test("a statement signed by anyone but the pinned reporter does not verify", () => {
  const stranger = generateNodeIdentity();
  const statement = signObservedAddress(stranger, "n1", NONCE, "203.0.113.7");
  assert.not.ok(verifyObservedAddress(reporter.publicKey, "n1", NONCE, statement));
  assert.not.ok(
    verifyObservedAddress(reporter.publicKey, "n1", NONCE, {
      address: "203.0.113.7",
      signature: "",
    }),
  );
});

test.run();
