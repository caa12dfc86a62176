import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  IDENTITY_KEY_FILE,
  loadOrCreateNodeIdentity,
} from "../../../cluster/identity/node-identity.ts";
import { isNodePublicKey, verifyNodeSignature } from "../../../cluster/identity/node-public-key.ts";

function withDataDir(run: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "nexaloak-identity-"));
  try {
    run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("the first start creates a key only the node's user can read; later starts load the same key", () => {
  withDataDir((dir) => {
    const first = loadOrCreateNodeIdentity(dir);
    assert.ok(first.ok);
    if (!first.ok) return;
    assert.is(first.value.created, true);
    assert.is(statSync(join(dir, IDENTITY_KEY_FILE)).mode & 0o777, 0o600);
    assert.ok(isNodePublicKey(first.value.identity.publicKey));
    const again = loadOrCreateNodeIdentity(dir);
    assert.ok(again.ok);
    if (!again.ok) return;
    assert.is(again.value.created, false);
    assert.is(again.value.identity.publicKey, first.value.identity.publicKey);
  });
});

test("a signature verifies with the node's public key and with no other", () => {
  withDataDir((dir) => {
    const loaded = loadOrCreateNodeIdentity(dir);
    if (!loaded.ok) throw new Error(loaded.error.message);
    const { identity } = loaded.value;
    const data = Buffer.from("proposal");
    const signature = identity.sign(data);
    assert.ok(verifyNodeSignature(identity.publicKey, data, signature));
    assert.not.ok(verifyNodeSignature(identity.publicKey, Buffer.from("proposals"), signature));
    const other = loadOrCreateNodeIdentity(join(dir, "other"));
    if (!other.ok) throw new Error(other.error.message);
    assert.not.ok(verifyNodeSignature(other.value.identity.publicKey, data, signature));
    assert.not.ok(verifyNodeSignature("not-a-key", data, signature));
    assert.not.ok(verifyNodeSignature(identity.publicKey, data, signature.subarray(1)));
  });
});

test("the private key never shows in JSON or in the public key", () => {
  withDataDir((dir) => {
    const loaded = loadOrCreateNodeIdentity(dir);
    if (!loaded.ok) throw new Error(loaded.error.message);
    const pem = readFileSync(join(dir, IDENTITY_KEY_FILE), "utf8");
    const secretPart = pem.split("\n")[1]!;
    assert.not.ok(JSON.stringify(loaded.value.identity).includes(secretPart));
    assert.equal(Object.keys(JSON.parse(JSON.stringify(loaded.value.identity))), ["publicKey"]);
  });
});

test("a key file other users may read is refused with the command that fixes it", () => {
  withDataDir((dir) => {
    assert.ok(loadOrCreateNodeIdentity(dir).ok);
    chmodSync(join(dir, IDENTITY_KEY_FILE), 0o644);
    const loaded = loadOrCreateNodeIdentity(dir);
    assert.is(loaded.ok ? "loaded" : loaded.error.code, "IDENTITY_INSECURE");
    if (!loaded.ok) assert.match(loaded.error.message, "chmod 600");
  });
});

test("a key file that is not an Ed25519 private key is refused, never replaced", () => {
  withDataDir((dir) => {
    assert.ok(loadOrCreateNodeIdentity(dir).ok);
    const file = join(dir, IDENTITY_KEY_FILE);
    writeFileSync(file, "garbage", { mode: 0o600 });
    const loaded = loadOrCreateNodeIdentity(dir);
    assert.is(loaded.ok ? "loaded" : loaded.error.code, "IDENTITY_UNREADABLE");
    assert.is(readFileSync(file, "utf8"), "garbage");
  });
});

test("only canonical 32-byte base64url strings are node public keys", () => {
  assert.ok(isNodePublicKey(Buffer.alloc(32, 7).toString("base64url")));
  assert.not.ok(isNodePublicKey(Buffer.alloc(31, 7).toString("base64url")));
  assert.not.ok(isNodePublicKey(`${Buffer.alloc(32, 7).toString("base64url").slice(0, 42)}B`));
  assert.not.ok(isNodePublicKey(Buffer.alloc(32, 7).toString("base64")));
});

test.run();
