import { test } from "uvu";
import * as assert from "uvu/assert";
import { API_ACTOR, telegramActor } from "../../../cluster/fsm/actors.ts";
import { command, Fixture, T0 } from "./support/control-plane-fixture.ts";

const status = (serverId: string, value: "active" | "draining" | "banned" | "down", fields = {}) =>
  ({
    type: "setServerStatus",
    serverId,
    status: value,
    reason: `made ${value}`,
    actor: API_ACTOR,
    at: T0 + 1,
    ...fields,
  }) as const;

function twoServers(): Fixture {
  const fixture = new Fixture();
  fixture.ok(command.registerServer("n1"));
  fixture.ok(command.registerServer("n2"));
  return fixture;
}

test("an admin can drain, take down and reactivate a server, recorded with reason, actor and time", () => {
  const fixture = twoServers();
  fixture.ok(command.upsertUser("42", { role: "admin" }));
  const drained = fixture.ok(status("n1", "draining", { actor: telegramActor("42") }));
  assert.equal(
    [
      drained.server.status,
      drained.server.statusReason,
      drained.server.statusActor,
      drained.server.statusAt,
    ],
    ["draining", "made draining", "42", T0 + 1],
  );
  assert.is(drained.rehome, null);
  assert.is(fixture.ok(status("n1", "down")).server.status, "down");
  assert.is(fixture.ok(status("n1", "active")).server.status, "active");
});

test("a draining server keeps its configs but gets no new ones", () => {
  const fixture = twoServers();
  fixture.ok(command.upsertUser("10"));
  const first = fixture.ok(command.issueConfig("c1", "10"));
  assert.is(first.serverId, "n1");
  fixture.ok(status("n1", "draining"));
  assert.is(fixture.state.liveConfigsOfServer("n1").length, 1);
  assert.is(fixture.ok(command.issueConfig("c2", "10")).serverId, "n2");
  fixture.ok(status("n2", "draining"));
  fixture.refused(command.issueConfig("c3", "10"), "NO_CAPACITY");
});

test("status changes for unknown servers or with unknown statuses are refused", () => {
  const fixture = twoServers();
  fixture.refused(status("n9", "draining"), "UNKNOWN_SERVER");
  fixture.refused({ ...status("n1", "draining"), status: "retired" }, "INVALID_COMMAND");
});

test("ban after N consecutive filtered verdicts, with the evidence as the reason", () => {
  const fixture = twoServers();
  fixture.ok(command.verdict("n1", 1, "filtered"));
  fixture.ok(command.verdict("n1", 2, "filtered"));
  assert.is(fixture.state.server("n1")!.status, "active");
  const third = fixture.ok(
    command.verdict("n1", 3, "filtered", { evidence: "3/4 vantage probes time out" }),
  );
  assert.is(third.transition, "ban");
  const server = fixture.state.server("n1")!;
  assert.equal(
    [server.status, server.statusReason, server.statusActor],
    ["banned", "3/4 vantage probes time out", "ban-check"],
  );
  assert.is(server.checks.consecutiveFiltered, 3);
  assert.equal(
    server.checks.recent.map((check) => check.round),
    [1, 2, 3],
  );
});

test("down after N down verdicts (not banned), and back to active on ok", () => {
  const fixture = twoServers();
  fixture.ok(command.upsertUser("1", { role: "admin" }));
  fixture.ok(command.verdict("n1", 1, "down"));
  const second = fixture.ok(
    command.verdict("n1", 2, "down", { evidence: "control: connection_refused" }),
  );
  assert.is(second.transition, "markDown");
  assert.equal(
    [fixture.state.server("n1")!.status, fixture.state.server("n1")!.statusReason],
    ["down", "control: connection_refused"],
  );
  const alerts = fixture.state.pendingOutbox().filter((entry) => entry.kind === "adminAlert");
  assert.equal(
    alerts.map((entry) => [entry.chatId, entry.payload.event]),
    [["1", "serverDown"]],
  );
  fixture.ok(command.verdict("n1", 3, "down"));
  assert.is(fixture.ok(command.verdict("n1", 4, "ok")).transition, "recover");
  const server = fixture.state.server("n1")!;
  assert.equal([server.status, server.checks.consecutiveDown], ["active", 0]);
});

test("inconclusive verdicts are recorded but never count or reset", () => {
  const fixture = twoServers();
  fixture.ok(command.verdict("n1", 1, "filtered"));
  fixture.ok(command.verdict("n1", 2, "inconclusive"));
  fixture.ok(command.verdict("n1", 3, "filtered"));
  fixture.ok(command.verdict("n1", 4, "inconclusive"));
  assert.is(fixture.state.server("n1")!.checks.consecutiveFiltered, 2);
  assert.is(fixture.state.server("n1")!.checks.recent.length, 4);
  assert.is(fixture.ok(command.verdict("n1", 5, "filtered")).transition, "ban");
});

test("a second verdict for the same round is ignored as a duplicate; an older round is refused", () => {
  const fixture = twoServers();
  fixture.ok(command.verdict("n1", 10, "filtered"));
  const before = fixture.state.stateHash();
  const again = fixture.apply(command.verdict("n1", 10, "ok"));
  assert.ok(again.ok && again.duplicate);
  assert.is(
    again.ok && (again.value as { verdict: string }).verdict,
    "filtered",
    "answers with the first verdict",
  );
  assert.is(fixture.state.stateHash(), before);
  fixture.refused(command.verdict("n1", 9, "filtered"), "STALE_ROUND");
  fixture.ok(command.verdict("n2", 9, "filtered"));
});

test("rounds are counted per server", () => {
  const fixture = twoServers();
  for (const round of [1, 2]) {
    fixture.ok(command.verdict("n1", round, "filtered"));
    fixture.ok(command.verdict("n2", round, "filtered"));
  }
  fixture.ok(command.verdict("n2", 3, "ok"));
  fixture.ok(command.verdict("n1", 3, "filtered"));
  assert.equal(
    [fixture.state.server("n1")!.status, fixture.state.server("n2")!.status],
    ["banned", "active"],
  );
});

test("lifting a ban resets the counters, so one more filtered verdict does not ban again", () => {
  const fixture = twoServers();
  for (const round of [1, 2, 3]) fixture.ok(command.verdict("n1", round, "filtered"));
  fixture.ok(status("n1", "active"));
  assert.is(fixture.state.server("n1")!.checks.consecutiveFiltered, 0);
  assert.is(fixture.ok(command.verdict("n1", 4, "filtered")).transition, "none");
  assert.is(fixture.state.server("n1")!.status, "active");
});

test("verdicts for a banned server are recorded without changing its status", () => {
  const fixture = twoServers();
  fixture.ok(status("n1", "banned"));
  assert.is(fixture.ok(command.verdict("n1", 1, "ok")).transition, "none");
  assert.is(fixture.state.server("n1")!.status, "banned");
});

test("verdicts for unknown servers are refused", () => {
  const fixture = twoServers();
  fixture.refused(command.verdict("n9", 1, "ok"), "UNKNOWN_SERVER");
  fixture.refused({ ...command.verdict("n1", 1, "ok"), verdict: "blocked" }, "INVALID_COMMAND");
  fixture.refused(command.verdict("n1", 1, "ok", { banAfter: 0 }), "INVALID_COMMAND");
});

test.run();
