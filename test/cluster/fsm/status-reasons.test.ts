/**
 * The reasons the control plane records for a server's status by itself
 * read back as what they are, so the bot can say them in an admin's
 * language; an admin's own words are none of them.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  STATUS_ACTIONS,
  type StatusReason,
  statusReasonOf,
  statusReasonText,
} from "../../../cluster/fsm/status-reasons.ts";

const REASONS: StatusReason[] = [
  ...STATUS_ACTIONS.flatMap((action) =>
    (["bot", "api"] as const).map((through) => ({ kind: "setByAdmin" as const, action, through })),
  ),
  { kind: "removedByAdmin" },
  { kind: "restoredFromBackup" },
  { kind: "notAnswering" },
  { kind: "filteredInARow", checks: 3 },
];

test("every reason reads back from the text it is recorded as", () => {
  for (const reason of REASONS)
    assert.equal(statusReasonOf(statusReasonText(reason)), reason, statusReasonText(reason));
});

test("the texts are the ones the admin API has always shown", () => {
  assert.is(
    statusReasonText({ kind: "setByAdmin", action: "drain", through: "bot" }),
    "drain by an admin",
  );
  assert.is(
    statusReasonText({ kind: "setByAdmin", action: "ban", through: "api" }),
    "ban by the admin API",
  );
  assert.is(
    statusReasonText({ kind: "filteredInARow", checks: 2 }),
    "filtered in 2 consecutive checks",
  );
});

test("an admin's own words, or a ban check's evidence, are no recorded reason", () => {
  for (const text of [
    "maintenance",
    "ban by an admin, again",
    "filtered in 0 consecutive checks",
    "down: control fails tcp (connection_refused)",
    "",
  ])
    assert.is(statusReasonOf(text), undefined, text);
});

test.run();
