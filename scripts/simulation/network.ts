import type { Message, MessageType, NodeId, RandomSource } from "../../cluster/raft/types.ts";

export interface NetworkConditions {
  /** Chance in [0, 1] that a message is lost. */
  dropRate: number;
  /** Chance that a message is delivered twice. */
  duplicateRate: number;
  /** Chance that a message is held back for several ticks (so later ones overtake it). */
  longDelayRate: number;
}

export const CALM_NETWORK: NetworkConditions = { dropRate: 0, duplicateRate: 0, longDelayRate: 0 };

/**
 * A seeded network between simulated nodes. Time is in ticks; each message is
 * due at a tick chosen by the seed, and links can be cut in one direction.
 */
export class SimNetwork {
  conditions: NetworkConditions = CALM_NETWORK;
  private readonly blocked = new Set<string>();
  /** Message types a node's sends are silently lost for (scripted scenarios). */
  private readonly muted = new Map<NodeId, Set<MessageType>>();
  /** Scripted scenarios: messages matching any of these are lost. */
  private readonly dropRules: Array<(message: Message) => boolean> = [];
  private readonly dueByTick = new Map<number, Message[]>();
  sentCount = 0;
  droppedCount = 0;

  constructor(private readonly random: RandomSource) {}

  private chance(rate: number): boolean {
    return rate > 0 && this.random.nextInt(1_000_000) < rate * 1_000_000;
  }

  /** Cuts the link from `from` to `to` (one direction only). */
  block(from: NodeId, to: NodeId): void {
    this.blocked.add(`${from}>${to}`);
  }

  isBlocked(from: NodeId, to: NodeId): boolean {
    return this.blocked.has(`${from}>${to}`);
  }

  /** Loses every message of these types that `from` sends, until healAll(). */
  mute(from: NodeId, types: readonly MessageType[]): void {
    this.muted.set(from, new Set(types));
  }

  /** Loses every message from `from` not yet delivered (a crash that takes its socket buffers with it). */
  dropUndeliveredFrom(from: NodeId): void {
    for (const [dueTick, queue] of this.dueByTick) {
      const kept = queue.filter((message) => message.from !== from);
      this.droppedCount += queue.length - kept.length;
      if (kept.length === 0) this.dueByTick.delete(dueTick);
      else this.dueByTick.set(dueTick, kept);
    }
  }

  /** Loses every message the predicate matches, until healAll(). */
  dropWhere(predicate: (message: Message) => boolean): void {
    this.dropRules.push(predicate);
  }

  healAll(): void {
    this.blocked.clear();
    this.muted.clear();
    this.dropRules.length = 0;
  }

  get partitioned(): boolean {
    return this.blocked.size > 0;
  }

  send(message: Message, nowTick: number): void {
    this.sentCount++;
    const muted =
      this.muted.get(message.from)?.has(message.type) === true ||
      this.dropRules.some((rule) => rule(message));
    if (
      muted ||
      this.isBlocked(message.from, message.to) ||
      this.chance(this.conditions.dropRate)
    ) {
      this.droppedCount++;
      return;
    }
    this.schedule(message, nowTick);
    // Duplicates prove the core takes any message twice in its stride. A
    // forwarded proposal is the exception: delivered twice it is appended
    // twice, and the transport (one ordered socket per pair) never resends.
    if (message.type !== "prop" && this.chance(this.conditions.duplicateRate))
      this.schedule(message, nowTick);
  }

  private schedule(message: Message, nowTick: number): void {
    let delayTicks = this.random.nextInt(3) === 0 ? 1 : 0;
    if (this.chance(this.conditions.longDelayRate)) delayTicks = 2 + this.random.nextInt(6);
    const dueTick = nowTick + delayTicks;
    const queue = this.dueByTick.get(dueTick);
    if (queue) queue.push(message);
    else this.dueByTick.set(dueTick, [message]);
  }

  /** Takes the next message due at or before `nowTick`, or undefined when none is. */
  takeDue(nowTick: number): Message | undefined {
    for (const [dueTick, queue] of this.dueByTick) {
      if (dueTick > nowTick) continue;
      for (let message = queue.shift(); message; message = queue.shift()) {
        // A partition made after sending still stops delivery.
        if (!this.isBlocked(message.from, message.to)) {
          if (queue.length === 0) this.dueByTick.delete(dueTick);
          return message;
        }
        this.droppedCount++;
      }
      this.dueByTick.delete(dueTick);
    }
    return undefined;
  }
}
