/**
 * How many people the bot lets in per minute, across all of them: a flood of
 * throwaway accounts (in open mode, each one takes configs and addresses) is
 * held to the `newUsersPerMinute` setting instead of filling the servers,
 * and a newcomer turned away costs no Raft write. Kept by the leader's bot in
 * memory: a new leader starts with a fresh minute, which at worst lets one
 * more minute's worth in.
 */
const WINDOW_MS = 60_000;

export class NewcomerGate {
  private readonly admittedAt: number[] = [];

  /** Admits one newcomer at `nowMs` if fewer than `perMinute` were admitted in the last minute. */
  admit(nowMs: number, perMinute: number): boolean {
    while (this.admittedAt.length > 0 && this.admittedAt[0]! <= nowMs - WINDOW_MS)
      this.admittedAt.shift();
    if (this.admittedAt.length >= perMinute) return false;
    this.admittedAt.push(nowMs);
    return true;
  }
}
