import { test } from "uvu";
import * as assert from "uvu/assert";
import { SecretBox, secretBoxPurposes } from "../../../shared/crypto/secret-box.ts";

const clusterSecret = "test-cluster-secret-0123456789abcdef";
const box = new SecretBox(clusterSecret, secretBoxPurposes.configKeys);
const privateKey = "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=";

function flipCharacter(text: string, index: number): string {
  const replacement = text[index] === "A" ? "B" : "A";
  return text.slice(0, index) + replacement + text.slice(index + 1);
}

test("a sealed secret opens to the same text", () => {
  for (const plaintext of [privateKey, "", "ключ с юникодом ✓", "x".repeat(10_000)]) {
    assert.equal(box.open(box.seal(plaintext)), { ok: true, value: plaintext });
  }
});

test("sealed values are versioned, three base64url parts, and differ every time", () => {
  const first = box.seal(privateKey);
  const second = box.seal(privateKey);
  assert.match(first, /^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
  assert.is.not(first, second, "a fresh IV per seal");
  assert.not.ok(first.includes(privateKey));
});

test("another node with the same CLUSTER_SECRET opens what this one sealed", () => {
  const otherNode = new SecretBox(clusterSecret, secretBoxPurposes.configKeys);
  assert.equal(otherNode.open(box.seal(privateKey)), { ok: true, value: privateKey });
});

test("a different CLUSTER_SECRET cannot open it, and says why without throwing", () => {
  const wrong = new SecretBox(
    "another-cluster-secret-0123456789abcdef",
    secretBoxPurposes.configKeys,
  );
  const opened = wrong.open(box.seal(privateKey));
  assert.ok(!opened.ok);
  assert.is(opened.error.code, "SECRET_BOX_AUTH_FAILED");
  assert.match(opened.error.message, /CLUSTER_SECRET/);
});

test("a secret sealed for one purpose does not open under another", () => {
  const probes = new SecretBox(clusterSecret, secretBoxPurposes.probeTokens);
  const opened = probes.open(box.seal(privateKey));
  assert.ok(!opened.ok);
  assert.is(opened.error.code, "SECRET_BOX_AUTH_FAILED");
});

test("any altered character of the IV or ciphertext is detected", () => {
  const sealed = box.seal(privateKey);
  const bodyStart = sealed.indexOf(".") + 1;
  for (let index = bodyStart; index < sealed.length; index++) {
    if (sealed[index] === ".") continue;
    const tampered = flipCharacter(sealed, index);
    const opened = box.open(tampered);
    assert.ok(!opened.ok, `character ${index}`);
    assert.ok(
      ["SECRET_BOX_AUTH_FAILED", "SECRET_BOX_MALFORMED"].includes(opened.error.code),
      opened.error.code,
    );
  }
});

test("a truncated ciphertext is refused", () => {
  const sealed = box.seal(privateKey);
  const opened = box.open(sealed.slice(0, -4));
  assert.ok(!opened.ok);
});

test("garbage is malformed, an unknown version says to upgrade", () => {
  const sealed = box.seal(privateKey);
  const [, iv, body] = sealed.split(".");
  const cases: [string, string][] = [
    ["", "SECRET_BOX_MALFORMED"],
    ["not sealed", "SECRET_BOX_MALFORMED"],
    ["v1.abc", "SECRET_BOX_MALFORMED"],
    [`v1.${iv}.${body}.extra`, "SECRET_BOX_MALFORMED"],
    [`v1.${iv}=.${body}`, "SECRET_BOX_MALFORMED"],
    [`v1.${iv}.${body}+`, "SECRET_BOX_MALFORMED"],
    [`v1.${iv?.slice(4)}.${body}`, "SECRET_BOX_MALFORMED"],
    [`v1.${iv}.AAAA`, "SECRET_BOX_MALFORMED"],
    [`v2.${iv}.${body}`, "SECRET_BOX_UNSUPPORTED_VERSION"],
  ];
  for (const [input, code] of cases) {
    const opened = box.open(input);
    assert.ok(!opened.ok, input);
    assert.is(opened.error.code, code, input);
  }
  assert.match(
    (box.open(`v2.${iv}.${body}`) as { error: { message: string } }).error.message,
    /upgrade/,
  );
});

test.run();
