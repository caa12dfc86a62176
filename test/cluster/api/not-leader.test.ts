import { test } from "uvu";
import * as assert from "uvu/assert";
import { type NotLeaderError, notLeaderAnswer } from "../../../cluster/api/not-leader.ts";
import type { ApiResponse } from "../../../cluster/api/router.ts";
import type { NodeStatus } from "../../../cluster/node.ts";

function status(fields: Partial<NodeStatus>): NodeStatus {
  return {
    id: "n2",
    role: "follower",
    term: 3,
    leaderId: "n1",
    commitIndex: 10,
    appliedIndex: 10,
    members: [
      {
        id: "n1",
        url: "ws://10.0.0.1:7001",
        voter: true,
        role: "voter",
        matchIndex: null,
        lag: null,
        silentForMs: null,
      },
      {
        id: "n2",
        url: "ws://10.0.0.2:7002",
        voter: true,
        role: "voter",
        matchIndex: null,
        lag: null,
        silentForMs: null,
      },
      {
        id: "n3",
        url: "wss://vpn-3.example:8443/cluster",
        voter: true,
        role: "voter",
        matchIndex: null,
        lag: null,
        silentForMs: null,
      },
    ],
    ...fields,
  };
}

function errorOf(answer: ApiResponse | undefined): NotLeaderError | undefined {
  return (answer?.body as { error?: NotLeaderError } | undefined)?.error;
}

test("the leader handles its writes itself", () => {
  assert.is(notLeaderAnswer(status({ id: "n1", role: "leader" })), undefined);
});

test("a follower answers 421 NOT_LEADER with the leader's id and the base URL of its admin API", () => {
  assert.equal(notLeaderAnswer(status({})), {
    status: 421,
    body: {
      error: {
        code: "NOT_LEADER",
        message: "writes go to the leader, n1 at http://10.0.0.1:7001; send the same request there",
        leaderId: "n1",
        leaderUrl: "http://10.0.0.1:7001",
      },
    },
  });
});

test("the leader's URL keeps the scheme's security and the path prefix of its peer URL", () => {
  const answer = notLeaderAnswer(status({ leaderId: "n3" }));
  assert.is(errorOf(answer)?.leaderUrl, "https://vpn-3.example:8443/cluster");
});

test("a learner and a candidate point at the leader they know, like a follower", () => {
  for (const role of ["learner", "candidate", "precandidate"] as const)
    assert.is(notLeaderAnswer(status({ role }))?.status, 421, role);
});

test("a leader whose URL this node does not know is named without one", () => {
  const answer = notLeaderAnswer(status({ leaderId: "n9" }));
  assert.is(answer?.status, 421);
  assert.equal(errorOf(answer), {
    code: "NOT_LEADER",
    message: "writes go to the leader, n9; send the same request there",
    leaderId: "n9",
    leaderUrl: null,
  });
});

test("while no leader is known the answer is 503 NOT_LEADER with Retry-After", () => {
  const answer = notLeaderAnswer(status({ role: "candidate", leaderId: null }));
  assert.is(answer?.status, 503);
  assert.equal(answer?.headers, { "Retry-After": "1" });
  const error = errorOf(answer);
  assert.equal([error?.code, error?.leaderId, error?.leaderUrl], ["NOT_LEADER", null, null]);
});

test.run();
