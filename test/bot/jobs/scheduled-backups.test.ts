import { test } from "uvu";
import * as assert from "uvu/assert";
import { dueBackupSlot } from "../../../bot/jobs/scheduled-backups.ts";
import { CronSchedule } from "../../../shared/cron-schedule.ts";

const parsed = CronSchedule.parse("0 3 * * *");
if (!parsed.ok) throw new Error(parsed.error.message);
const daily = parsed.value;
const at = (iso: string) => Date.parse(iso);

test("a slot no leader claimed yet is due: the latest one at or before now", () => {
  const slot = at("2026-12-06T03:00:00Z");
  assert.is(dueBackupSlot(daily, at("2026-12-06T03:00:00Z"), at("2026-12-05T03:00:00Z"), 0), slot);
  assert.is(dueBackupSlot(daily, at("2026-12-06T09:30:00Z"), at("2026-12-05T03:00:00Z"), 0), slot);
});

test("a claimed slot is never due again; the next becomes due at its time", () => {
  const claimed = at("2026-12-06T03:00:00Z");
  assert.is(dueBackupSlot(daily, at("2026-12-06T03:00:01Z"), claimed, 0), undefined);
  assert.is(dueBackupSlot(daily, at("2026-12-07T02:59:59Z"), claimed, 0), undefined);
  assert.is(
    dueBackupSlot(daily, at("2026-12-07T03:00:00Z"), claimed, 0),
    at("2026-12-07T03:00:00Z"),
  );
});

test("a new leader sends one slot its predecessor missed, not every missed one", () => {
  const claimed = at("2026-12-01T03:00:00Z");
  assert.is(
    dueBackupSlot(daily, at("2026-12-06T10:00:00Z"), claimed, 0),
    at("2026-12-06T03:00:00Z"),
  );
});

test("a cluster that never claimed a slot sends none at its first start, only from the next slot on", () => {
  const started = at("2026-12-06T10:00:00Z");
  assert.is(dueBackupSlot(daily, started, null, started), undefined);
  assert.is(dueBackupSlot(daily, at("2026-12-07T02:00:00Z"), null, started), undefined);
  assert.is(
    dueBackupSlot(daily, at("2026-12-07T03:00:00Z"), null, started),
    at("2026-12-07T03:00:00Z"),
  );
});

test.run();
