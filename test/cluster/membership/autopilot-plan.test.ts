import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  type AutopilotInput,
  lacksLeaderCredentials,
  planAutopilotStep,
} from "../../../cluster/membership/autopilot-plan.ts";
import type { MemberHealth } from "../../../cluster/node.ts";

const DEAD_MS = 300_000;

function member(id: string, voter: boolean, fields: Partial<MemberHealth> = {}): MemberHealth {
  return { id, voter, lag: 0, silentForMs: 100, heard: true, ...fields };
}

function input(health: MemberHealth[], fields: Partial<AutopilotInput> = {}): AutopilotInput {
  return {
    leaderId: "n1",
    voters: health.filter((m) => m.voter).map((m) => m.id),
    learners: health.filter((m) => !m.voter).map((m) => m.id),
    health,
    targetVoters: 5,
    minVoters: 3,
    deadAfterMs: DEAD_MS,
    removals: [],
    unrevokedRemovals: [],
    regionOf: () => undefined,
    voterCandidates: undefined,
    lacksLeaderCredentials: () => false,
    ...fields,
  };
}

test("healthy, caught-up learners are promoted until the cluster has its voters, and no further", () => {
  const fleet = [member("n1", true), member("n2", true), member("n3", true), member("n4", false)];
  assert.equal(planAutopilotStep(input(fleet)), {
    kind: "promote",
    nodeId: "n4",
    reason: "the cluster keeps 5 voters",
  });
  const five = [...fleet.slice(0, 3), member("n4", true), member("n5", true), member("n6", false)];
  assert.is(planAutopilotStep(input(five)), undefined);
});

test("a learner that lags or was not heard from lately is not promoted", () => {
  const fleet = [
    member("n1", true),
    member("n2", true),
    member("n3", true),
    member("n4", false, { lag: 5000 }),
    member("n5", false, { silentForMs: 60_000 }),
  ];
  assert.is(planAutopilotStep(input(fleet)), undefined);
});

test("a learner the leader has never heard from is not promoted, however small its lag", () => {
  // A joiner added as a learner whose own port is not open yet: promoted, it would hold a vote it
  // never casts, and a one-voter cluster (just restored from a backup) would have no majority.
  const fleet = [member("n1", true), member("n2", false, { heard: false, lag: 3 })];
  assert.is(planAutopilotStep(input(fleet)), undefined);
  const heard = [member("n1", true), member("n2", false, { lag: 3 })];
  assert.is(planAutopilotStep(input(heard))?.nodeId, "n2");
});

test("the learner from a region the voters do not cover is promoted first", () => {
  const regions: Record<string, string> = { n1: "de", n2: "de", n3: "nl", n4: "de", n5: "fi" };
  const fleet = [
    member("n1", true),
    member("n2", true),
    member("n3", true),
    member("n4", false),
    member("n5", false),
  ];
  const step = planAutopilotStep(input(fleet, { regionOf: (id) => regions[id] }));
  assert.is(step?.nodeId, "n5");
});

test("a dead voter is replaced: its replacement is promoted first, then it is demoted", () => {
  const dead = member("n3", true, { silentForMs: DEAD_MS + 1 });
  const withLearner = [member("n1", true), member("n2", true), dead, member("n4", false)];
  const first = planAutopilotStep(input(withLearner, { targetVoters: 3 }));
  assert.equal(first?.kind, "promote");
  assert.is(first?.nodeId, "n4");
  const promoted = [member("n1", true), member("n2", true), dead, member("n4", true)];
  const second = planAutopilotStep(input(promoted, { targetVoters: 3 }));
  assert.is(second?.kind, "demote");
  assert.is(second?.nodeId, "n3");
});

test("a dead voter with no learner to replace it stays while the voters are at the minimum", () => {
  const fleet = [
    member("n1", true),
    member("n2", true),
    member("n3", true, { silentForMs: DEAD_MS }),
  ];
  assert.is(planAutopilotStep(input(fleet, { targetVoters: 3 })), undefined);
});

test("surplus voters are demoted, the least healthy first, never the leader, never below a live majority", () => {
  const fleet = [
    member("n1", true, { silentForMs: 0 }),
    member("n2", true),
    member("n3", true, { silentForMs: 2000 }),
    member("n4", true),
    member("n5", true),
  ];
  const step = planAutopilotStep(input(fleet, { targetVoters: 3 }));
  assert.equal(step, { kind: "demote", nodeId: "n3", reason: "the cluster keeps 3 voters" });
});

test("a removal an admin asked for is finished: out of the membership, then its key revoked; the leader's own is left to it", () => {
  const fleet = [
    member("n1", true),
    member("n2", true),
    member("n3", true),
    member("n4", true),
    member("n5", false),
  ];
  assert.equal(planAutopilotStep(input(fleet, { removals: ["n4"], targetVoters: 3 })), {
    kind: "remove",
    nodeId: "n4",
    reason: "an admin removed it",
  });
  // The leader's own removal: its replacement is promoted, the leader steps away by itself.
  assert.equal(
    planAutopilotStep(input(fleet, { removals: ["n1"], targetVoters: 4 }))?.kind,
    "promote",
  );
  const gone = fleet.filter((m) => m.id !== "n4");
  assert.is(
    planAutopilotStep(input(gone, { removals: ["n4"], unrevokedRemovals: ["n4"], targetVoters: 3 }))
      ?.kind,
    "revokeKey",
  );
});

test("removing one of three voters promotes a learner in its place first", () => {
  const fleet = [member("n1", true), member("n2", true), member("n3", true), member("n4", false)];
  const step = planAutopilotStep(input(fleet, { removals: ["n3"], targetVoters: 3 }));
  assert.is(step?.kind, "promote");
  assert.is(step?.nodeId, "n4");
});

/** Healthy, caught-up voters and learners by id. */
function healthy(voters: string[], learners: string[]): MemberHealth[] {
  return [...voters.map((id) => member(id, true)), ...learners.map((id) => member(id, false))];
}

test("with voter candidates named, only candidates are promoted", () => {
  const fleet = healthy(["n1", "n2", "n3"], ["n4", "n5"]);
  const candidates = new Set(["n1", "n2", "n3", "n5"]);
  assert.is(planAutopilotStep(input(fleet, { voterCandidates: candidates }))?.nodeId, "n5");
  const onlyFounders = new Set(["n1", "n2", "n3"]);
  assert.is(planAutopilotStep(input(fleet, { voterCandidates: onlyFounders })), undefined);
});

test("a voter that is not a candidate is replaced by a candidate learner first, then demoted", () => {
  const candidates = new Set(["n1", "n2", "n4"]);
  const fleet = healthy(["n1", "n2", "n3"], ["n4"]);
  assert.equal(planAutopilotStep(input(fleet, { targetVoters: 3, voterCandidates: candidates })), {
    kind: "promote",
    nodeId: "n4",
    reason: "replaces n3, not among the voter candidates",
  });
  const replaced = healthy(["n1", "n2", "n3", "n4"], []);
  assert.equal(
    planAutopilotStep(input(replaced, { targetVoters: 3, voterCandidates: candidates })),
    {
      kind: "demote",
      nodeId: "n3",
      reason: "not among the voter candidates",
    },
  );
});

test("a voter that is not a candidate stays while demoting it would leave fewer than the minimum", () => {
  const fleet = healthy(["n1", "n2", "n3"], ["n4"]);
  const step = planAutopilotStep(
    input(fleet, { targetVoters: 3, voterCandidates: new Set(["n1", "n2", "n9"]) }),
  );
  assert.is(step, undefined);
});

test("a leader that is not a candidate hands leadership to a live, caught-up candidate voter", () => {
  const fleet = [
    member("n1", true),
    member("n2", true, { lag: 5000 }),
    member("n3", true, { silentForMs: 60_000 }),
    member("n4", true, { lag: 3 }),
    member("n5", true, { lag: 1 }),
  ];
  const candidates = new Set(["n2", "n3", "n4", "n5"]);
  assert.equal(planAutopilotStep(input(fleet, { voterCandidates: candidates })), {
    kind: "handOver",
    nodeId: "n5",
    reason: "takes over from n1, not among the voter candidates",
  });
  // No candidate voter fit to lead: a candidate learner is promoted instead, the leader stays.
  const unfit = [
    member("n1", true),
    member("n2", true, { lag: 5000 }),
    member("n3", true, { silentForMs: 60_000 }),
    member("n4", false),
  ];
  const step = planAutopilotStep(
    input(unfit, { targetVoters: 3, voterCandidates: new Set(["n2", "n3", "n4"]) }),
  );
  assert.equal(step?.kind, "promote");
  assert.is(step?.nodeId, "n4");
});

test("a member that lacks a leader's credentials is neither promoted nor handed leadership", () => {
  const withoutCredentials = (id: string) => id === "n4";
  const fleet = healthy(["n1", "n2", "n3"], ["n4", "n5"]);
  assert.is(planAutopilotStep(input(fleet))?.nodeId, "n4", "by id, n4 would go first");
  assert.is(
    planAutopilotStep(input(fleet, { lacksLeaderCredentials: withoutCredentials }))?.nodeId,
    "n5",
  );
  const onlyIt = healthy(["n1", "n2", "n3"], ["n4"]);
  assert.is(
    planAutopilotStep(input(onlyIt, { lacksLeaderCredentials: withoutCredentials })),
    undefined,
  );
  // A leader that is not a candidate hands over only to a candidate that could run the bot.
  const voters = healthy(["n1", "n2", "n3", "n4", "n5"], []);
  const candidates = new Set(["n2", "n3", "n4"]);
  const lacking = (id: string) => id === "n2" || id === "n3";
  assert.equal(
    planAutopilotStep(
      input(voters, { voterCandidates: candidates, lacksLeaderCredentials: lacking }),
    ),
    {
      kind: "handOver",
      nodeId: "n4",
      reason: "takes over from n1, not among the voter candidates",
    },
  );
});

test("a leader needs the data keys always, and the bot token when the leader runs the bot; nodes that reported nothing count as holding them", () => {
  const both = { holdsBotToken: true, holdsDataKeys: true };
  const noToken = { holdsBotToken: false, holdsDataKeys: true };
  const noKeys = { holdsBotToken: true, holdsDataKeys: false };
  const unreported = { holdsBotToken: null, holdsDataKeys: null };
  assert.is(lacksLeaderCredentials(both, both), false);
  assert.is(lacksLeaderCredentials(noToken, both), true);
  assert.is(lacksLeaderCredentials(noToken, noToken), false, "no bot runs: no token needed");
  assert.is(lacksLeaderCredentials(noKeys, noToken), true);
  assert.is(lacksLeaderCredentials(unreported, both), false);
  assert.is(lacksLeaderCredentials(undefined, both), false, "a member with no server yet");
});

test.run();
