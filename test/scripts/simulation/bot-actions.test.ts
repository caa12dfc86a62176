import { test } from "uvu";
import * as assert from "uvu/assert";
import { API_ACTOR } from "../../../cluster/fsm/actors.ts";
import type { RandomSource } from "../../../cluster/raft/types.ts";
import { botProposals } from "../../../scripts/simulation/bot-actions.ts";
import { Fixture } from "../../cluster/fsm/support/control-plane-fixture.ts";
import { fleetFixture, suspendUser10, T0 } from "./support/fleet-fixture.ts";

/**
 * The bot's choices in turn: first the action by a roll of 0-99 (deliver
 * below 50, download below 75, lift below 90, revoke above), then what it acts on.
 */
function choices(...values: number[]): RandomSource {
  return { nextInt: () => values.shift() ?? 0 };
}

/** The action the bot chooses on the fixture's state, and what applying it gave. */
function actionOn(fixture: Fixture, random: RandomSource) {
  const [json] = botProposals(fixture.state, T0, random);
  if (json === undefined) throw new Error("the bot proposed nothing");
  return { command: JSON.parse(json), result: fixture.apply(json) };
}

test("the outbox delivers its oldest pending message, or now and then fails to for good", () => {
  const fixture = fleetFixture();
  fixture.ok({ type: "broadcast", text: "maintenance tonight", actor: API_ACTOR, at: T0 });
  const [oldest] = fixture.state.pendingOutbox(1);
  const delivered = actionOn(fixture, choices(0, 1));
  assert.equal(delivered.command, { type: "markOutboxDelivered", id: oldest!.id, at: T0 });
  assert.ok(delivered.result.ok);
  const [next] = fixture.state.pendingOutbox(1);
  const failed = actionOn(fixture, choices(0, 0, 0));
  assert.is(failed.command.type, "markOutboxFailed");
  assert.is(failed.command.id, next!.id);
  assert.is(failed.command.permanent, true);
  assert.ok(failed.result.ok);
});

test("a user downloads one of their live configs again, with a fresh key pair", () => {
  const fixture = fleetFixture();
  const before = fixture.state.config("c1")!.clientPublicKey;
  const { command, result } = actionOn(fixture, choices(50, 0, 12345));
  assert.equal([command.type, command.configId, command.userId], ["rekeyConfig", "c1", "10"]);
  assert.ok(result.ok);
  assert.is.not(fixture.state.config("c1")!.clientPublicKey, before);
});

test("a user revokes one of their own live configs", () => {
  const fixture = fleetFixture();
  const { command, result } = actionOn(fixture, choices(90, 2));
  assert.equal([command.type, command.configId, command.userId], ["revokeConfig", "c3", "11"]);
  assert.equal(command.actor, { kind: "telegram", userId: "11" });
  assert.ok(result.ok);
});

test("an admin lifts a suspended user's suspension", () => {
  const fixture = fleetFixture();
  suspendUser10(fixture);
  const { command, result } = actionOn(fixture, choices(75));
  assert.equal([command.type, command.userId], ["liftTrafficSuspension", "10"]);
  assert.ok(result.ok);
  assert.is(fixture.state.userTraffic("10")!.suspended, false);
});

test("nothing is proposed when the chosen action has nothing to act on", () => {
  const empty = new Fixture();
  for (const roll of [0, 50, 75, 90])
    assert.equal(botProposals(empty.state, T0, choices(roll)), []);
});

test.run();
