/**
 * Virtual time for a simulated cluster: one clock shared by every node, and
 * a queue of timers that fire only when the simulation advances the clock.
 * Each node incarnation gets its own {@link Runtime} on it; a crash cancels
 * every timer of that incarnation at once.
 */
import type { RandomSource } from "../../cluster/raft/types.ts";
import type { CancelTimer, Runtime } from "../../cluster/runtime.ts";

interface Timer {
  atMs: number;
  /** Creation order: timers due at the same instant fire in the order they were set. */
  sequence: number;
  callback: () => void;
  owner: object;
  cancelled: boolean;
}

export class VirtualClock {
  private nowMs = 0;
  private sequence = 0;
  private timers: Timer[] = [];

  get now(): number {
    return this.nowMs;
  }

  /** A runtime on this clock for `owner` (one node incarnation). */
  runtimeFor(owner: object, random: RandomSource): Runtime {
    return {
      nowMs: () => this.nowMs,
      after: (delayMs, callback) => this.schedule(owner, Math.max(0, delayMs), callback),
      every: (periodMs, callback) => {
        let cancelCurrent: CancelTimer = () => {};
        let stopped = false;
        const fire = () => {
          if (stopped) return;
          cancelCurrent = this.schedule(owner, periodMs, fire);
          callback();
        };
        cancelCurrent = this.schedule(owner, periodMs, fire);
        return () => {
          stopped = true;
          cancelCurrent();
        };
      },
      // Whatever else is due at this instant (deliveries, other timers) comes first.
      afterPendingIo: (callback) => this.schedule(owner, 0, callback),
      random,
    };
  }

  /** Cancels every timer `owner` set (its process died). */
  cancelAll(owner: object): void {
    for (const timer of this.timers) if (timer.owner === owner) timer.cancelled = true;
  }

  /**
   * Moves time forward to `targetMs`, firing due timers in order; after all
   * those due at one instant fired, `afterInstant` runs (the simulation lets
   * the nodes react and checks there).
   */
  async advanceTo(targetMs: number, afterInstant: () => Promise<void>): Promise<void> {
    for (;;) {
      const next = this.nextDue(targetMs);
      if (!next) break;
      this.nowMs = next.atMs;
      for (let due = this.nextDue(this.nowMs); due; due = this.nextDue(this.nowMs)) {
        due.cancelled = true;
        due.callback();
      }
      await afterInstant();
    }
    this.nowMs = Math.max(this.nowMs, targetMs);
  }

  private schedule(owner: object, delayMs: number, callback: () => void): CancelTimer {
    const timer: Timer = {
      atMs: this.nowMs + delayMs,
      sequence: this.sequence++,
      callback,
      owner,
      cancelled: false,
    };
    this.timers.push(timer);
    return () => {
      timer.cancelled = true;
    };
  }

  private nextDue(targetMs: number): Timer | undefined {
    let best: Timer | undefined;
    let live = 0;
    for (const timer of this.timers) {
      if (timer.cancelled) continue;
      this.timers[live++] = timer;
      if (timer.atMs > targetMs) continue;
      if (
        !best ||
        timer.atMs < best.atMs ||
        (timer.atMs === best.atMs && timer.sequence < best.sequence)
      )
        best = timer;
    }
    this.timers.length = live;
    return best;
  }
}
