/**
 * What the replicated state keeps sealed under the data keys, bound to its
 * record; and a node that holds none (a learner that joined as no voter
 * candidate) seals nothing and opens nothing, saying why.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { NoDataKeysError, SealedSecrets } from "../../cluster/sealed-secrets.ts";
import { TEST_DATA_KEYS } from "./support/in-memory-cluster.ts";

test("a value opens for its own record only, and names the key that sealed it", () => {
  const sealing = new SealedSecrets(TEST_DATA_KEYS);
  const sealed = sealing.seal("serverProbeKey", "n1", "a private key");
  assert.equal(sealing.open("serverProbeKey", "n1", sealed), { ok: true, value: "a private key" });
  assert.not.ok(sealing.open("serverProbeKey", "n2", sealed).ok);
  assert.not.ok(sealing.open("vantageProbeKey", "n1", sealed).ok);
  assert.is(sealing.keyIdOf(sealed), sealing.currentKeyId);
});

test("a node without data keys seals nothing and opens nothing, with NO_DATA_KEYS, but still reads which key sealed a value", () => {
  const sealed = new SealedSecrets(TEST_DATA_KEYS).seal("configDeliveryKeys", "c1", "keys");
  const keyless = new SealedSecrets([]);
  assert.is(keyless.currentKeyId, undefined);
  assert.throws(
    () => keyless.seal("configDeliveryKeys", "c1", "keys"),
    (error: unknown) => error instanceof NoDataKeysError && error.code === "NO_DATA_KEYS",
  );
  const opened = keyless.open("configDeliveryKeys", "c1", sealed);
  assert.is(opened.ok ? undefined : opened.error.code, "NO_DATA_KEYS");
  assert.is(keyless.keyIdOf(sealed), new SealedSecrets(TEST_DATA_KEYS).currentKeyId);
});

test.run();
