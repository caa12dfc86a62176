import { test } from "uvu";
import * as assert from "uvu/assert";
import { approvalRequestText } from "../../../bot/jobs/outbox-notice.ts";
import { API_ACTOR } from "../../../cluster/fsm/actors.ts";
import { command, Fixture, T0 } from "../../cluster/fsm/support/control-plane-fixture.ts";

test("50 pending sign-ups bring each admin one notice, which says 50 wait, names the first five and how to review them", () => {
  const fixture = new Fixture();
  fixture.ok(command.upsertUser("1", { role: "admin" }));
  fixture.ok(command.upsertUser("2", { role: "admin" }));
  fixture.ok({ type: "setSetting", key: "accessMode", value: "approval", actor: API_ACTOR });
  for (let user = 100; user < 150; user++)
    fixture.ok(command.upsertUser(String(user), { name: `Guest ${user}`, at: T0 + user }));
  const notices = fixture.state.pendingOutbox();
  assert.equal(
    notices.map((entry) => [entry.chatId, entry.kind]),
    [
      ["1", "approvalRequest"],
      ["2", "approvalRequest"],
    ],
  );
  assert.is(
    approvalRequestText(fixture.state.pendingUsers()),
    "🕓 50 users wait for approval: Guest 100 (100), Guest 101 (101), Guest 102 (102), Guest 103 (103), Guest 104 (104) and 45 more.\nReview them with /approve.",
  );
});

test("one waiting user is named alone, nameless ones by id; with nobody waiting there is nothing to say", () => {
  const fixture = new Fixture();
  fixture.ok({ type: "setSetting", key: "accessMode", value: "approval", actor: API_ACTOR });
  fixture.ok(command.upsertUser("100", { name: "" }));
  assert.is(
    approvalRequestText(fixture.state.pendingUsers()),
    "🕓 1 user waits for approval: (no name) (100).\nReview them with /approve.",
  );
  assert.is(approvalRequestText([]), undefined);
});

test.run();
