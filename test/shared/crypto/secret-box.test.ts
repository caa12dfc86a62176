import { test } from "uvu";
import * as assert from "uvu/assert";
import { type DataKey, newDataKey } from "../../../shared/crypto/data-keys.ts";
import { SecretBox, secretBoxPurposes } from "../../../shared/crypto/secret-box.ts";

const k1: DataKey = { id: "k1", secret: "test-data-key-one-0123456789abcdef" };
const k2: DataKey = { id: "k2", secret: "test-data-key-two-0123456789abcdef" };
const box = new SecretBox([k1], secretBoxPurposes.configKeys);
const privateKey = "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=";
const record = "cfg-1";

function flipCharacter(text: string, index: number): string {
  const replacement = text[index] === "A" ? "B" : "A";
  return text.slice(0, index) + replacement + text.slice(index + 1);
}

test("a sealed secret opens to the same text for the same record", () => {
  for (const plaintext of [privateKey, "", "ключ с юникодом ✓", "x".repeat(10_000)]) {
    assert.equal(box.open(record, box.seal(record, plaintext)), { ok: true, value: plaintext });
  }
});

test("sealed values name their format and key, four base64url parts, and differ every time", () => {
  const first = box.seal(record, privateKey);
  const second = box.seal(record, privateKey);
  assert.match(first, /^v2\.k1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
  assert.is(box.keyIdOf(first), "k1");
  assert.is.not(first, second, "a fresh IV per seal");
  assert.not.ok(first.includes(privateKey));
});

test("another node with the same data keys opens what this one sealed", () => {
  const otherNode = new SecretBox([k1], secretBoxPurposes.configKeys);
  assert.equal(otherNode.open(record, box.seal(record, privateKey)), {
    ok: true,
    value: privateKey,
  });
});

test("a value moved to another record does not open there", () => {
  const opened = box.open("cfg-2", box.seal(record, privateKey));
  assert.ok(!opened.ok);
  assert.is(opened.error.code, "SECRET_BOX_AUTH_FAILED");
});

test("a key with the same id but another secret cannot open it, and says why without throwing", () => {
  const wrong = new SecretBox(
    [{ id: "k1", secret: "another-secret-0123456789abcdef0" }],
    secretBoxPurposes.configKeys,
  );
  const opened = wrong.open(record, box.seal(record, privateKey));
  assert.ok(!opened.ok);
  assert.is(opened.error.code, "SECRET_BOX_AUTH_FAILED");
});

test("a value sealed under a key this node does not hold names the key to add", () => {
  const onlyK2 = new SecretBox([k2], secretBoxPurposes.configKeys);
  const opened = onlyK2.open(record, box.seal(record, privateKey));
  assert.ok(!opened.ok);
  assert.is(opened.error.code, "SECRET_BOX_UNKNOWN_KEY");
  assert.match(opened.error.message, /"k1".*DATA_KEYS/);
});

test("rotation: a node holding the new key first and the old one second opens both, seals under the new", () => {
  const before = box.seal(record, privateKey);
  const rotating = new SecretBox([k2, k1], secretBoxPurposes.configKeys);
  assert.equal(rotating.open(record, before), { ok: true, value: privateKey });
  const after = rotating.seal(record, privateKey);
  assert.is(rotating.keyIdOf(after), "k2");
  assert.is(rotating.currentKeyId, "k2");
  // A node not yet given k2 cannot read values sealed under it.
  assert.is(
    (box.open(record, after) as { error: { code: string } }).error.code,
    "SECRET_BOX_UNKNOWN_KEY",
  );
  // Once every value is re-sealed, k1 can go.
  assert.equal(new SecretBox([k2], secretBoxPurposes.configKeys).open(record, after), {
    ok: true,
    value: privateKey,
  });
});

test("a secret sealed for one purpose does not open under another", () => {
  const probes = new SecretBox([k1], secretBoxPurposes.probeTokens);
  const opened = probes.open(record, box.seal(record, privateKey));
  assert.ok(!opened.ok);
  assert.is(opened.error.code, "SECRET_BOX_AUTH_FAILED");
});

test("relabelling a value with another key id is detected", () => {
  const both = new SecretBox([k1, k2], secretBoxPurposes.configKeys);
  const relabelled = box.seal(record, privateKey).replace(/^v2\.k1\./, "v2.k2.");
  const opened = both.open(record, relabelled);
  assert.ok(!opened.ok);
  assert.is(opened.error.code, "SECRET_BOX_AUTH_FAILED");
});

test("any altered character of the IV or ciphertext is detected", () => {
  const sealed = box.seal(record, privateKey);
  const bodyStart = sealed.indexOf(".", 3) + 1;
  for (let index = bodyStart; index < sealed.length; index++) {
    if (sealed[index] === ".") continue;
    const opened = box.open(record, flipCharacter(sealed, index));
    assert.ok(!opened.ok, `character ${index}`);
    assert.ok(
      ["SECRET_BOX_AUTH_FAILED", "SECRET_BOX_MALFORMED"].includes(opened.error.code),
      opened.error.code,
    );
  }
});

test("a truncated ciphertext is refused", () => {
  const opened = box.open(record, box.seal(record, privateKey).slice(0, -4));
  assert.ok(!opened.ok);
});

test("garbage is malformed, an unknown version says to upgrade", () => {
  const [, , iv, body] = box.seal(record, privateKey).split(".");
  const cases: [string, string][] = [
    ["", "SECRET_BOX_MALFORMED"],
    ["not sealed", "SECRET_BOX_MALFORMED"],
    ["v2.k1.abc", "SECRET_BOX_MALFORMED"],
    [`v2.k1.${iv}.${body}.extra`, "SECRET_BOX_MALFORMED"],
    [`v2.k1.${iv}=.${body}`, "SECRET_BOX_MALFORMED"],
    [`v2.k1.${iv}.${body}+`, "SECRET_BOX_MALFORMED"],
    [`v2.k1.${iv?.slice(4)}.${body}`, "SECRET_BOX_MALFORMED"],
    [`v2.k1.${iv}.AAAA`, "SECRET_BOX_MALFORMED"],
    [`v3.k1.${iv}.${body}`, "SECRET_BOX_UNSUPPORTED_VERSION"],
  ];
  for (const [input, code] of cases) {
    const opened = box.open(record, input);
    assert.ok(!opened.ok, input);
    assert.is(opened.error.code, code, input);
  }
  assert.match(
    (box.open(record, `v3.k1.${iv}.${body}`) as { error: { message: string } }).error.message,
    /upgrade/,
  );
});

test("fresh data keys are distinct 64-hex-digit secrets", () => {
  const a = newDataKey("k1");
  const b = newDataKey("k1");
  assert.match(a.secret, /^[0-9a-f]{64}$/);
  assert.is.not(a.secret, b.secret);
});

test.run();
