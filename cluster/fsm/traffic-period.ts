/**
 * When a traffic period starts and ends. Periods are calendar months cut at
 * 00:00 UTC on the reset day (`trafficResetDay`, 1-28, so the day exists in
 * every month). Pure: the leader computes the start it proposes with these,
 * and apply checks the proposed start with the same function.
 */

/** The latest period start at or before `nowMs` for `resetDay`: 00:00 UTC of that day this month or last. */
export function periodStartAt(nowMs: number, resetDay: number): number {
  const now = new Date(nowMs);
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth();
  const thisMonth = Date.UTC(year, month, resetDay);
  return thisMonth <= nowMs ? thisMonth : Date.UTC(year, month - 1, resetDay);
}

/** The first period start after `nowMs`: when the usage counted at `nowMs` resets. */
export function nextResetAt(nowMs: number, resetDay: number): number {
  const start = new Date(periodStartAt(nowMs, resetDay));
  return Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, resetDay);
}
