/**
 * The hourly history apply keeps per server for the admins' charts: configs
 * issued, active peers, traffic and verdicts per clock hour, bounded to the
 * last 24 hours and the current one, and carried through snapshots.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ControlPlaneState } from "../../../cluster/fsm/control-plane.ts";
import { HOUR_MS, HOURS_KEPT } from "../../../cluster/fsm/hourly-history.ts";
import { command, Fixture, T0 } from "./support/control-plane-fixture.ts";

function oneServer(): Fixture {
  const fixture = new Fixture();
  fixture.ok(command.registerServer("n1"));
  fixture.ok(command.upsertUser("10"));
  return fixture;
}

const load = (at: number, activePeers: number, rxBytes: number, txBytes: number) =>
  ({ type: "reportServerLoad", serverId: "n1", activePeers, rxBytes, txBytes, at }) as const;

const hourly = (fixture: Fixture) => fixture.state.server("n1")!.hourly;

test("configs issued are counted in the clock hour of the command that issued them", () => {
  const fixture = oneServer();
  fixture.ok(command.issueConfig("c1", "10", { at: T0 + 10 }));
  fixture.ok(command.issueConfig("c2", "10", { at: T0 + HOUR_MS - 1 }));
  fixture.ok(command.issueConfig("c3", "10", { at: T0 + HOUR_MS }));
  assert.equal(
    hourly(fixture).map((sample) => [sample.hourStart, sample.configsIssued]),
    [
      [T0, 2],
      [T0 + HOUR_MS, 1],
    ],
  );
});

test("an hour keeps its highest peer count and the traffic between reports; a reset counter counts from zero", () => {
  const fixture = oneServer();
  fixture.ok(load(T0, 3, 1000, 5000));
  fixture.ok(load(T0 + 60_000, 5, 1500, 5200));
  fixture.ok(load(T0 + 120_000, 2, 1700, 5300));
  fixture.ok(load(T0 + HOUR_MS, 1, 100, 40));
  const [first, second] = hourly(fixture);
  assert.equal(
    [first!.activePeers, first!.rxBytes, first!.txBytes],
    [5, 700, 300],
    "the first report gives no traffic: nothing says when its counters started",
  );
  assert.equal([second!.activePeers, second!.rxBytes, second!.txBytes], [1, 100, 40]);
});

test("an hour keeps the worst verdict of the server and of each ISP group", () => {
  const fixture = oneServer();
  const round = (n: number) => T0 / (5 * 60_000) + n;
  fixture.ok(
    command.verdict("n1", round(1), "ok", {
      ispVerdicts: [
        { isp: "MCI", verdict: "filtered" },
        { isp: "TCI", verdict: "ok" },
      ],
    }),
  );
  fixture.ok(
    command.verdict("n1", round(2), "inconclusive", {
      ispVerdicts: [{ isp: "MCI", verdict: "ok" }],
    }),
  );
  assert.equal(hourly(fixture)[0]!.verdicts, [
    { group: "", verdict: "inconclusive" },
    { group: "MCI", verdict: "filtered" },
    { group: "TCI", verdict: "ok" },
  ]);
});

test(`at most ${HOURS_KEPT} hours are kept, and a time before them changes nothing`, () => {
  const fixture = oneServer();
  for (let hour = 0; hour < 30; hour++) fixture.ok(load(T0 + hour * HOUR_MS, hour, 0, 0));
  const samples = hourly(fixture);
  assert.is(samples.length, HOURS_KEPT);
  assert.is(samples[0]!.hourStart, T0 + 5 * HOUR_MS);
  assert.is(samples.at(-1)!.hourStart, T0 + 29 * HOUR_MS);
  fixture.ok(command.issueConfig("late", "10", { at: T0 + 2 * HOUR_MS }));
  assert.equal(hourly(fixture), samples, "an hour out of the window is not recorded");
  fixture.ok(command.issueConfig("earlier", "10", { at: T0 + 10 * HOUR_MS + 5 }));
  assert.is(
    hourly(fixture).find((sample) => sample.hourStart === T0 + 10 * HOUR_MS)!.configsIssued,
    1,
  );
});

test("an hour reported out of order goes into its place, oldest first", () => {
  const fixture = oneServer();
  fixture.ok(load(T0 + 3 * HOUR_MS, 1, 0, 0));
  fixture.ok(load(T0 + HOUR_MS, 2, 0, 0));
  assert.equal(
    hourly(fixture).map((sample) => sample.hourStart),
    [T0 + HOUR_MS, T0 + 3 * HOUR_MS],
  );
});

test("the history survives a snapshot, and a snapshot from before it loads with none", () => {
  const fixture = oneServer();
  fixture.ok(command.issueConfig("c1", "10"));
  fixture.ok(load(T0, 4, 10, 20));
  fixture.ok(
    command.verdict("n1", T0 / (5 * 60_000) + 1, "filtered", {
      ispVerdicts: [{ isp: "Ростелеком", verdict: "filtered" }],
    }),
  );
  const restored = new ControlPlaneState();
  restored.restore(fixture.state.snapshot());
  assert.equal(restored.server("n1")!.hourly, hourly(fixture));
  assert.is(restored.stateHash(), fixture.state.stateHash());

  const old = JSON.parse(fixture.state.snapshot()) as { servers: unknown[][] };
  old.servers = old.servers.map((row) => row.slice(0, 19));
  const fromOld = new ControlPlaneState();
  fromOld.restore(JSON.stringify(old));
  assert.equal(fromOld.server("n1")!.hourly, []);
});

test("a verdict with more ISP groups than a command carries is refused and changes nothing", () => {
  const fixture = oneServer();
  const ispVerdicts = Array.from({ length: 33 }, (_, n) => ({
    isp: `isp${n}`,
    verdict: "ok" as const,
  }));
  fixture.refused(command.verdict("n1", 1, "ok", { ispVerdicts }), "INVALID_COMMAND");
  assert.equal(hourly(fixture), []);
});

test.run();
