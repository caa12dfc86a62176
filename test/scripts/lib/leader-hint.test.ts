import { test } from "uvu";
import * as assert from "uvu/assert";
import type { HttpJsonResponse } from "../../../scripts/lib/http-json.ts";
import { leaderUrlOf } from "../../../scripts/lib/leader-hint.ts";

function response(status: number, body: unknown): HttpJsonResponse {
  return { status, headers: {}, body, text: JSON.stringify(body) };
}

const hint = {
  error: { code: "NOT_LEADER", message: "", leaderId: "n1", leaderUrl: "http://127.0.0.1:7001" },
};

test("a follower's 421 NOT_LEADER names the leader's admin API", () => {
  assert.is(leaderUrlOf(response(421, hint)), "http://127.0.0.1:7001");
});

test("anything else is not a hint: another status, another code, no leader URL", () => {
  assert.is(leaderUrlOf(response(503, hint)), undefined);
  assert.is(leaderUrlOf(response(200, hint)), undefined);
  assert.is(
    leaderUrlOf(response(421, { error: { ...hint.error, code: "SOMETHING_ELSE" } })),
    undefined,
  );
  assert.is(leaderUrlOf(response(421, { error: { ...hint.error, leaderUrl: null } })), undefined);
  assert.is(leaderUrlOf(response(421, undefined)), undefined);
});

test.run();
