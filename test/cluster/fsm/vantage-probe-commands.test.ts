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
    certSha256: null,
    insecure: false,
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
      certSha256: null,
      insecure: false,
    },
  ]);
});

const PIN = Array(32).fill("C0").join(":");

test("a pinned certificate and the insecure mark are stored with the probe and in its result", () => {
  const fixture = new Fixture();
  const pinned = fixture.ok(add("pinned", { certSha256: PIN }));
  assert.equal(pinned, {
    id: "pinned",
    url: "https://pinned.probe.example:8443",
    region: "ir-thr",
    isp: "MCI",
    certSha256: PIN,
    insecure: false,
  });
  fixture.ok(add("plain", { url: "http://10.0.0.9:9190", insecure: true }));
  assert.equal(
    fixture.state.vantageProbes().map((probe) => [probe.id, probe.certSha256, probe.insecure]),
    [
      ["pinned", PIN, false],
      ["plain", null, true],
    ],
  );
});

test("a pin needs https://, insecure needs http://, and a pin must be canonical", () => {
  const fixture = new Fixture();
  fixture.refused(
    add("a", { url: "http://a.example", certSha256: PIN }),
    "INVALID_PROBE_TRANSPORT",
  );
  fixture.refused(
    add("b", { url: "http://b.example", certSha256: PIN, insecure: true }),
    "INVALID_PROBE_TRANSPORT",
  );
  fixture.refused(add("c", { insecure: true }), "INVALID_PROBE_TRANSPORT");
  fixture.refused(add("d", { certSha256: PIN.toLowerCase() }), "INVALID_COMMAND");
  fixture.refused(add("e", { certSha256: PIN.replaceAll(":", "") }), "INVALID_COMMAND");
  fixture.refused(add("f", { insecure: "yes" }), "INVALID_COMMAND");
  assert.equal(fixture.state.vantageProbes(), []);
});

test("an http:// probe from before the insecure mark is still applied on replay, as not insecure", () => {
  // The input check refuses http:// without insecure now; the log may hold such an entry from before.
  const fixture = new Fixture();
  fixture.ok(add("old", { url: "http://10.0.0.7:9000" }));
  const [old] = fixture.state.vantageProbes();
  assert.is(old?.insecure, false, "ban checks will refuse to send it the token");
  assert.is(old?.certSha256, null);
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
