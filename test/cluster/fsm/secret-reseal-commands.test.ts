/** Re-sealing under a new data key: each value is replaced only if it is still the one re-sealed. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { command, Fixture, T0, wgKey } from "./support/control-plane-fixture.ts";

function fleet(): Fixture {
  const fixture = new Fixture();
  fixture.ok(command.registerServer("n1"));
  fixture.ok({
    type: "setProbePeer",
    serverId: "n1",
    publicKey: wgKey(1, 9),
    privateKeyEncrypted: "old-probe-key",
    at: T0,
  });
  fixture.ok({
    type: "addVantageProbe",
    id: "v1",
    url: "https://vantage.example:8443",
    tokenEncrypted: "old-token",
    region: "ir",
    isp: "",
    actor: { kind: "api" },
    at: T0,
    probePublicKey: wgKey(2, 9),
    probePrivateKeyEncrypted: "old-vantage-key",
  });
  fixture.ok(command.upsertUser("10"));
  fixture.ok(command.issueConfig("c1", "10", { deliveryKeysSealed: "old-delivery" }));
  return fixture;
}

test("every sealed value is listed with where it lives", () => {
  assert.equal(fleet().state.sealedSecrets(), [
    { kind: "vantageToken", recordId: "v1", sealed: "old-token" },
    { kind: "vantageProbeKey", recordId: "v1", sealed: "old-vantage-key" },
    { kind: "serverProbeKey", recordId: "n1", sealed: "old-probe-key" },
    { kind: "configDeliveryKeys", recordId: "c1", sealed: "old-delivery" },
  ]);
});

test("values still as they were are replaced; a value changed meanwhile is left and counted stale", () => {
  const fixture = fleet();
  const result = fixture.ok({
    type: "resealSecrets",
    items: [
      { kind: "vantageToken", recordId: "v1", from: "old-token", to: "new-token" },
      { kind: "vantageProbeKey", recordId: "v1", from: "old-vantage-key", to: "new-vantage-key" },
      { kind: "serverProbeKey", recordId: "n1", from: "old-probe-key", to: "new-probe-key" },
      { kind: "configDeliveryKeys", recordId: "c1", from: "changed-since", to: "new-delivery" },
      { kind: "vantageToken", recordId: "gone", from: "old-token", to: "new-token" },
    ],
    at: T0,
  });
  assert.equal(result, { resealed: 3, stale: 2 });
  assert.equal(
    fixture.state.sealedSecrets().map((secret) => secret.sealed),
    ["new-token", "new-vantage-key", "new-probe-key", "old-delivery"],
  );
});

test("a malformed re-seal is refused and changes nothing", () => {
  const fixture = fleet();
  fixture.refused({ type: "resealSecrets", items: [], at: T0 }, "INVALID_COMMAND");
  fixture.refused(
    {
      type: "resealSecrets",
      items: [{ kind: "adminToken", recordId: "x", from: "a", to: "b" }],
      at: T0,
    },
    "INVALID_COMMAND",
  );
});

test.run();
