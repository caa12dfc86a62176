/**
 * The record of every `getUpdates` call, kept so tests can prove that two
 * bot instances never polled at the same time, and the pure check that finds
 * the calls that did.
 */

/** How a poll ended: it returned updates, timed out empty, lost to a newer poll, or was abandoned. */
export type PollOutcome = "updates" | "empty" | "conflict" | "aborted";

export interface PollRecord {
  /** 1 for the first poll this emulator answered, then 2, 3, ... */
  id: number;
  token: string;
  /** When the request arrived: milliseconds on this process's monotonic clock (`performance.now()`). */
  startedAt: number;
  /** When it was answered or abandoned; null while it is still waiting. */
  endedAt: number | null;
  offset: number | null;
  limit: number;
  /** The long-poll timeout the caller asked for, in seconds. */
  timeout: number;
  /** null while the poll is still waiting. */
  outcome: PollOutcome | null;
  /** The update ids returned, for outcome "updates". */
  updateIds: number[];
}

/** Two polls that were open at the same instant; `first` started no later than `second`. */
export interface PollOverlap {
  first: PollRecord;
  second: PollRecord;
}

export class PollLog {
  private readonly records: PollRecord[] = [];

  /** Opens a record for a poll that arrived at `startedAt`. */
  start(
    fields: Pick<PollRecord, "token" | "startedAt" | "offset" | "limit" | "timeout">,
  ): PollRecord {
    const record: PollRecord = {
      id: this.records.length + 1,
      ...fields,
      endedAt: null,
      outcome: null,
      updateIds: [],
    };
    this.records.push(record);
    return record;
  }

  finish(
    record: PollRecord,
    outcome: PollOutcome,
    endedAt: number,
    updateIds: number[] = [],
  ): void {
    record.outcome = outcome;
    record.endedAt = endedAt;
    record.updateIds = updateIds;
  }

  /** Copies of every record, oldest first. */
  all(): PollRecord[] {
    return this.records.map((record) => ({ ...record, updateIds: [...record.updateIds] }));
  }
}

/**
 * Every pair of polls whose [startedAt, endedAt] intervals intersect (a
 * still-waiting poll is open to the end of time). The emulator models one
 * bot, whichever accepted token a call uses, so pairs are compared across
 * tokens too. A poll answered 409 ends at the very instant its successor
 * starts, so every conflict shows up here as an overlap.
 */
export function findOverlappingPolls(polls: readonly PollRecord[]): PollOverlap[] {
  const byStart = [...polls].sort((a, b) => a.startedAt - b.startedAt || a.id - b.id);
  const overlaps: PollOverlap[] = [];
  for (let firstIndex = 0; firstIndex < byStart.length; firstIndex++) {
    const first = byStart[firstIndex]!;
    const firstEnd = first.endedAt ?? Infinity;
    for (let secondIndex = firstIndex + 1; secondIndex < byStart.length; secondIndex++) {
      const second = byStart[secondIndex]!;
      if (second.startedAt > firstEnd) break;
      overlaps.push({ first, second });
    }
  }
  return overlaps;
}
