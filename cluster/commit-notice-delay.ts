/**
 * Holds back a leader's appends that carry no entries (they only tell a
 * follower the new commit index, or probe it) for a few milliseconds, so that
 * the next append with entries carries the news instead.
 *
 * Why: the Raft core, like etcd's, tells every follower the moment an entry
 * commits. That costs a frame each way per follower per write, and on a small
 * machine each frame wakes a process that competes with the next write for
 * the CPU. Under steady writes the next append carries the commit anyway;
 * when writes pause, the held message goes out after {@link COMMIT_NOTICE_HOLD_MS}.
 *
 * Safety does not depend on it: a held message is either sent, or dropped
 * because a later append of the same term tells the follower at least as
 * much (what the core believes it sent stays true). Messages to a peer keep
 * their order: a held message leaves before anything else sent to its peer.
 */
import type { Message, NodeId } from "./raft/types.ts";
import type { CancelTimer, Runtime } from "./runtime.ts";

/** Longest time a commit-only append waits for a write to carry it. */
export const COMMIT_NOTICE_HOLD_MS = 10;

/** An append that carries no entries: a commit notice or a probe. */
function isEntryless(message: Message): boolean {
  return message.type === "app" && (message.entries?.length ?? 0) === 0;
}

/** The commit index a follower learns from an append: never beyond the entries it carries. */
function commitTold(append: Message): number {
  const lastIndex = (append.index ?? 0) + (append.entries?.length ?? 0);
  return Math.min(append.commit ?? 0, lastIndex);
}

/** Whether `later` tells the follower everything `held` would. */
function supersedes(later: Message, held: Message): boolean {
  return (
    later.type === "app" &&
    later.term === held.term &&
    (later.index ?? 0) >= (held.index ?? 0) &&
    commitTold(later) >= commitTold(held)
  );
}

export class CommitNoticeDelay {
  private readonly held = new Map<NodeId, Message>();
  private cancelTimer: CancelTimer | undefined;

  constructor(
    private readonly runtime: Runtime,
    private readonly send: (messages: readonly Message[]) => void,
    private readonly holdMs: number = COMMIT_NOTICE_HOLD_MS,
  ) {}

  /** Sends `messages` in order, holding back the entryless appends among them. */
  submit(messages: readonly Message[]): void {
    const outgoing: Message[] = [];
    for (const message of messages) {
      const held = this.held.get(message.to);
      if (isEntryless(message)) {
        // A newer notice replaces an older one; an older one of a past term goes first.
        if (held && !supersedes(message, held)) outgoing.push(held);
        this.held.set(message.to, message);
        continue;
      }
      if (held) {
        this.held.delete(message.to);
        if (!supersedes(message, held)) outgoing.push(held);
      }
      outgoing.push(message);
    }
    if (outgoing.length > 0) this.send(outgoing);
    if (this.held.size > 0 && this.cancelTimer === undefined) {
      this.cancelTimer = this.runtime.after(this.holdMs, () => {
        this.cancelTimer = undefined;
        this.release();
      });
    }
  }

  /** Sends everything held now. */
  release(): void {
    if (this.held.size === 0) return;
    const messages = [...this.held.values()];
    this.held.clear();
    this.send(messages);
  }

  /** Drops what is held and its timer (the node is stopping). */
  discard(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.held.clear();
  }
}
