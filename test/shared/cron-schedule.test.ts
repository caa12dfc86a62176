import { test } from "uvu";
import * as assert from "uvu/assert";
import { CronSchedule } from "../../shared/cron-schedule.ts";

function schedule(pattern: string): CronSchedule {
  const parsed = CronSchedule.parse(pattern);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.value;
}

const at = (iso: string) => Date.parse(iso);

test("every five minutes: the latest slot is the last multiple of five minutes", () => {
  const every5 = schedule("*/5 * * * *");
  assert.is(every5.latestSlot(at("2026-11-21T12:57:31Z")), at("2026-11-21T12:55:00Z"));
  assert.is(every5.nextSlot(at("2026-11-21T12:57:31Z")), at("2026-11-21T13:00:00Z"));
});

test("a time exactly on a slot is that slot; the next one is a full period later", () => {
  const every5 = schedule("*/5 * * * *");
  assert.is(every5.latestSlot(at("2026-11-21T13:00:00Z")), at("2026-11-21T13:00:00Z"));
  assert.is(every5.nextSlot(at("2026-11-21T13:00:00Z")), at("2026-11-21T13:05:00Z"));
});

test("six fields put seconds first, for tests that need rounds every few seconds", () => {
  const every2s = schedule("*/2 * * * * *");
  assert.is(every2s.latestSlot(at("2026-11-21T12:00:03.500Z")), at("2026-11-21T12:00:02Z"));
  assert.is(every2s.nextSlot(at("2026-11-21T12:00:03.500Z")), at("2026-11-21T12:00:04Z"));
});

test("patterns that are not cron are refused with a message naming the problem", () => {
  for (const pattern of ["", "every 5 minutes", "* * *", "61 * * * *", "* * * * * * *"]) {
    const parsed = CronSchedule.parse(pattern);
    assert.is(parsed.ok, false, pattern);
    if (!parsed.ok) {
      assert.is(parsed.error.code, "INVALID_CRON");
      assert.ok(parsed.error.message.length > 10);
    }
  }
});

test.run();
