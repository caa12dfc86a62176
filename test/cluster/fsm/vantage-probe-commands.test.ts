import { test } from "uvu";
import * as assert from "uvu/assert";
import { API_ACTOR } from "../../../cluster/fsm/actors.ts";
import { command, Fixture, T0, wgKey } from "./support/control-plane-fixture.ts";

const add = (id: string, fields = {}) =>
  ({
    type: "addVantageProbe",
    id,
    url: `https://${id}.probe.example:8443`,
    tokenEncrypted: `enc-token-${id}`,
    region: "ir-thr",
    isp: "MCI",
    actor: API_ACTOR,
    at: T0,
    ...fields,
  }) as const;

test("an admin adds a vantage probe; the result never contains its token", () => {
  const fixture = new Fixture();
  const added = fixture.ok(add("thr1"));
  assert.equal(added, {
    id: "thr1",
    url: "https://thr1.probe.example:8443",
    region: "ir-thr",
    isp: "MCI",
  });
  assert.equal(fixture.state.vantageProbes(), [
    {
      id: "thr1",
      url: "https://thr1.probe.example:8443",
      tokenEncrypted: "enc-token-thr1",
      region: "ir-thr",
      isp: "MCI",
      addedBy: "admin-api",
      addedAt: T0,
      probePublicKey: null,
      probePrivateKeyEncrypted: null,
    },
  ]);
});

test("a vantage with its own probe key is a handshake-only peer on every server", () => {
  const fixture = new Fixture();
  fixture.ok(command.registerServer("n1"));
  fixture.ok(command.registerServer("n2"));
  const probeKey = { probePublicKey: wgKey(77, 9), probePrivateKeyEncrypted: "enc-probe-key" };
  fixture.ok(add("thr1", probeKey));
  for (const serverId of ["n1", "n2"]) {
    const peer = fixture.state.desiredPeers(serverId).find((p) => p.publicKey === wgKey(77, 9));
    assert.equal(peer, {
      publicKey: wgKey(77, 9),
      presharedKeySealed: null,
      address: null,
      kind: "probe",
    });
  }
  fixture.ok({ type: "removeVantageProbe", id: "thr1", actor: API_ACTOR, at: T0 });
  assert.not.ok(fixture.state.desiredPeers("n1").some((p) => p.publicKey === wgKey(77, 9)));
});

test("a vantage's probe key comes as a pair and must not be in use", () => {
  const fixture = new Fixture();
  fixture.refused(add("a", { probePublicKey: wgKey(1, 9) }), "INVALID_PROBE_KEY");
  fixture.ok(add("b", { probePublicKey: wgKey(2, 9), probePrivateKeyEncrypted: "enc" }));
  fixture.refused(
    add("c", { probePublicKey: wgKey(2, 9), probePrivateKeyEncrypted: "enc" }),
    "DUPLICATE_PUBLIC_KEY",
  );
  assert.equal(
    fixture.state.vantageProbes().map((probe) => probe.id),
    ["b"],
  );
});

test("probes are listed by id, and can be removed", () => {
  const fixture = new Fixture();
  fixture.ok(add("b"));
  fixture.ok(add("a"));
  assert.equal(
    fixture.state.vantageProbes().map((probe) => probe.id),
    ["a", "b"],
  );
  fixture.ok({ type: "removeVantageProbe", id: "a", actor: API_ACTOR, at: T0 });
  assert.equal(
    fixture.state.vantageProbes().map((probe) => probe.id),
    ["b"],
  );
});

test("refusals: duplicate id, unknown id, a URL that is not http(s)", () => {
  const fixture = new Fixture();
  fixture.ok(add("a"));
  fixture.refused(add("a"), "PROBE_EXISTS");
  fixture.refused(
    { type: "removeVantageProbe", id: "zz", actor: API_ACTOR, at: T0 },
    "UNKNOWN_PROBE",
  );
  fixture.refused(add("b", { url: "ftp://b.example" }), "INVALID_COMMAND");
  fixture.refused(add("b", { url: "not a url" }), "INVALID_COMMAND");
});

test.run();
