/**
 * The slots of a cron pattern (five fields, or six with seconds first, as
 * BullMQ's job scheduler reads them). Ban-check rounds are named by their
 * slot's time in ms, so every leader names the same round the same way and
 * the replicated state can tell a repeat from a new round.
 */
import { CronExpressionParser } from "cron-parser";
import { err, ok, type Result } from "./result.ts";

/** A valid pattern; slots are computed in UTC, as BullMQ's scheduler does by default. */
export class CronSchedule {
  private constructor(readonly pattern: string) {}

  static parse(pattern: string): Result<CronSchedule, "INVALID_CRON"> {
    const fields = pattern.trim().split(/\s+/).length;
    if (fields !== 5 && fields !== 6)
      return err(
        "INVALID_CRON",
        `a cron pattern has 5 fields (minute hour day month weekday) or 6 (seconds first); got ${fields}`,
      );
    try {
      CronExpressionParser.parse(pattern, { tz: "UTC", strict: false }).next();
      return ok(new CronSchedule(pattern.trim()));
    } catch (error) {
      return err("INVALID_CRON", `not a cron pattern: ${(error as Error).message}`);
    }
  }

  /** The latest slot at or before `nowMs`. */
  latestSlot(nowMs: number): number {
    // prev() is strictly before its start, so start just after now.
    return this.iterate(nowMs + 1)
      .prev()
      .getTime();
  }

  /** The first slot strictly after `nowMs`. */
  nextSlot(nowMs: number): number {
    return this.iterate(nowMs).next().getTime();
  }

  private iterate(fromMs: number) {
    return CronExpressionParser.parse(this.pattern, {
      currentDate: new Date(fromMs),
      tz: "UTC",
      strict: false,
    });
  }
}
