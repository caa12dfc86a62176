import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  accessModeSetting,
  effectiveSetting,
  integerSetting,
  settingProblem,
  voterCandidatesOf,
} from "../../../cluster/fsm/settings.ts";

test("known settings have defaults until set", () => {
  const settings = new Map<string, string>();
  assert.is(accessModeSetting(settings), "open");
  assert.is(integerSetting(settings, "configsPerUser"), 3);
  assert.is(integerSetting(settings, "configLifetimeDays"), 30);
  assert.is(integerSetting(settings, "expiryWarningHours"), 24);
  assert.is(integerSetting(settings, "approvalNoticeMinutes"), 10);
  assert.is(effectiveSetting(settings, "addressPool"), "10.64.0.0/10");
  settings.set("configsPerUser", "5");
  assert.is(integerSetting(settings, "configsPerUser"), 5);
});

test("known settings refuse values apply cannot use", () => {
  assert.ok(settingProblem("accessMode", "closed"));
  assert.is(settingProblem("accessMode", "approval"), undefined);
  assert.ok(settingProblem("configsPerUser", "-1"));
  assert.ok(settingProblem("configsPerUser", "2.5"));
  assert.ok(settingProblem("configsPerUser", "101"));
  assert.is(settingProblem("configLifetimeDays", "0"), undefined);
  assert.ok(settingProblem("expiryWarningHours", "lots"));
  assert.is(settingProblem("approvalNoticeMinutes", "0"), undefined);
  assert.is(settingProblem("approvalNoticeMinutes", "1440"), undefined);
  assert.ok(settingProblem("approvalNoticeMinutes", "1441"), "at most a day");
  assert.ok(settingProblem("addressPool", "10.64.0.1/10"));
  assert.ok(settingProblem("addressPool", "10.0.0.0/30"), "too small for one server");
  assert.ok(settingProblem("addressPool", "0.0.0.0/0"), "absurdly large");
  assert.is(settingProblem("addressPool", "172.16.0.0/12"), undefined);
});

test("voter candidates are empty (any member may vote) or three to 64 distinct node ids", () => {
  assert.is(effectiveSetting(new Map(), "voterCandidates"), "");
  assert.is(voterCandidatesOf(""), undefined);
  assert.is(settingProblem("voterCandidates", ""), undefined);
  assert.is(settingProblem("voterCandidates", "de-1, nl-2,fi-3"), undefined);
  assert.equal([...voterCandidatesOf("de-1, nl-2,fi-3")!], ["de-1", "nl-2", "fi-3"]);
  assert.match(settingProblem("voterCandidates", "de-1,nl-2")!, /3 to 64 members/);
  assert.match(settingProblem("voterCandidates", "de-1,nl-2,de-1")!, /twice/);
  assert.match(settingProblem("voterCandidates", "de-1,,fi-3")!, /not a node id/);
  assert.match(settingProblem("voterCandidates", "de-1,nl-2,Fi 3")!, /not a node id/);
  const many = Array.from({ length: 65 }, (_, index) => `n${index}`).join(",");
  assert.match(settingProblem("voterCandidates", many)!, /3 to 64 members/);
});

test("other keys are free-form", () => {
  assert.is(settingProblem("greeting", "anything at all"), undefined);
});

test.run();
