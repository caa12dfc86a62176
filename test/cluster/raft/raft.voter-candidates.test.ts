/**
 * Candidates first: with an admin's voter candidates (RaftConfig.mayLead),
 * another voter neither campaigns nor gets a vote, a forged transfer's
 * included, until its voters have heard from no leader for
 * CANDIDATES_FIRST_ELECTIONS election timeouts; then the cluster still
 * elects someone.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { CANDIDATES_FIRST_ELECTIONS } from "../../../cluster/raft/raft.ts";
import type { Message, NodeId } from "../../../cluster/raft/types.ts";
import { Network } from "./support/network.ts";

/** The Network's default election timeout, in ticks. */
const ELECTION_TICKS = 10;
const CANDIDATES_FIRST_TICKS = CANDIDATES_FIRST_ELECTIONS * ELECTION_TICKS;

function ledByN1(voters: NodeId[], candidates?: NodeId[]): Network {
  const network = new Network({
    voters,
    ...(candidates ? { config: { mayLead: (id: NodeId) => candidates.includes(id) } } : {}),
  });
  network.campaign("n1");
  assert.equal(network.leaders(), ["n1"]);
  return network;
}

function campaignsBy(network: Network, id: NodeId): Message[] {
  return network.delivered.filter(
    (message) => message.from === id && (message.type === "vote" || message.type === "preVote"),
  );
}

/** What a seized n3 sends to n2: a vote request for the next term, as a transfer's, with n1's log. */
function forgedTransferCampaign(network: Network): Message {
  const leader = network.raft("n1");
  return {
    type: "vote",
    from: "n3",
    to: "n2",
    term: leader.term + 1,
    index: leader.log.lastIndex(),
    logTerm: leader.log.lastTerm(),
    context: "transfer",
  };
}

function answerTo(network: Network, request: Message): Message | undefined {
  return network.delivered.find(
    (message) =>
      message.type === "voteResp" && message.from === request.to && message.to === request.from,
  );
}

test("when the leader is lost, a voter that may not lead does not campaign while a candidate could still win, and the candidate leads", () => {
  const network = ledByN1(["n1", "n2", "n3"], ["n1", "n2"]);
  network.isolate("n1");
  network.tick("n3", CANDIDATES_FIRST_TICKS - 1);
  assert.equal(campaignsBy(network, "n3"), []);
  network.tickUntil(() => network.leaders().some((id) => id !== "n1"), 4 * ELECTION_TICKS);
  assert.equal(
    network.leaders().filter((id) => id !== "n1"),
    ["n2"],
  );
});

test("a voter that may not lead answers a candidate once the leader has been silent for an election timeout, though its own timer restarted meanwhile", () => {
  const network = ledByN1(["n1", "n2", "n3"], ["n1", "n2"]);
  network.isolate("n1");
  // Its randomized timeout (10-19 ticks) fires once within 19 ticks and
  // restarts without a campaign: its election timer is now under 10 ticks.
  network.tick("n3", 2 * ELECTION_TICKS - 1);
  assert.equal(campaignsBy(network, "n3"), []);
  network.campaign("n2");
  assert.ok(network.leaders().includes("n2"), "n3 granted n2's pre-vote and vote");
});

test("without voter candidates the same voter campaigns within two election timeouts", () => {
  const network = ledByN1(["n1", "n2", "n3"]);
  network.isolate("n1");
  network.tick("n3", 2 * ELECTION_TICKS);
  assert.ok(campaignsBy(network, "n3").length > 0);
});

test("a forged transfer campaign from a voter that may not lead gets no vote and moves no term", () => {
  const network = ledByN1(["n1", "n2", "n3"], ["n1", "n2"]);
  const termBefore = network.raft("n2").term;
  const request = forgedTransferCampaign(network);
  network.send(request);
  assert.is(network.raft("n2").term, termBefore);
  assert.is(answerTo(network, request), undefined);
  network.tickAll(3 * ELECTION_TICKS);
  assert.equal(network.leaders(), ["n1"]);
});

test("a vote request from a voter that may not lead is refused by a voter that has lost its leader", () => {
  const network = ledByN1(["n1", "n2", "n3"], ["n1", "n2"]);
  network.isolate("n1");
  // n2 is out of its leader's lease but has not waited out the candidates' turn.
  network.tick("n2", ELECTION_TICKS);
  const request = forgedTransferCampaign(network);
  network.send(request);
  assert.is(answerTo(network, request)?.reject, true);
  assert.not.ok(network.leaders().includes("n3"));
});

test("the same forged campaign wins n2's vote when every voter may lead (the check above is what refuses it)", () => {
  const network = ledByN1(["n1", "n2", "n3"]);
  const request = forgedTransferCampaign(network);
  network.send(request);
  assert.is(answerTo(network, request)?.reject, undefined);
});

test("when no candidate can win, the other voters elect one of themselves once they have waited out the candidates' turn", () => {
  const network = ledByN1(["n1", "n2", "n3", "n4", "n5"], ["n1", "n2"]);
  network.isolate("n1");
  network.isolate("n2");
  const others = () => network.leaders().filter((id) => id !== "n1" && id !== "n2");
  network.tickAll(CANDIDATES_FIRST_TICKS - 1);
  assert.equal(others(), []);
  network.tickUntil(() => others().length === 1, 4 * ELECTION_TICKS);
});

test.run();
