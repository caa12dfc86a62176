/**
 * Notifications still to deliver, replicated so that a new leader resends
 * whatever the old one did not confirm. Entries move from `pending` to
 * `delivered` or `failed`; finished entries are pruned a week later.
 */
import type { OutboxEntry, OutboxKind, OutboxPayload } from "./records.ts";

/** How long delivered and failed entries stay visible before a sweep prunes them. */
export const FINISHED_OUTBOX_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

/** The replicated outbox, with a pending index so the bot's reads stay cheap. */
export class Outbox {
  /** Every entry, in creation order. */
  readonly entries = new Map<string, OutboxEntry>();
  /** Ids of pending entries, in creation order. */
  private readonly pendingIds = new Set<string>();
  /** The newest approval request of each admin chat (see approval-notices.ts); derived, never stored. */
  private readonly newestApprovalRequests = new Map<string, OutboxEntry>();

  /** Adds a pending entry. Ids come from the apply that creates it, so every node agrees. */
  enqueue(
    id: string,
    chatId: string,
    kind: OutboxKind,
    payload: OutboxPayload,
    at: number,
    notBefore: number | null,
  ): void {
    if (this.entries.has(id)) throw new Error(`outbox id ${id} assigned twice`);
    this.insert({
      id,
      chatId,
      kind,
      payload,
      createdAt: at,
      status: "pending",
      attempts: 0,
      lastError: null,
      updatedAt: at,
      notBefore,
    });
  }

  /** Adds an entry as it was, e.g. from a snapshot (in creation order, like enqueue). */
  insert(entry: OutboxEntry): void {
    this.entries.set(entry.id, entry);
    if (entry.status === "pending") this.pendingIds.add(entry.id);
    if (entry.kind === "approvalRequest") this.newestApprovalRequests.set(entry.chatId, entry);
  }

  /** The newest approval request queued for this chat, unless pruned. */
  newestApprovalRequest(chatId: string): OutboxEntry | undefined {
    return this.newestApprovalRequests.get(chatId);
  }

  markDelivered(entry: OutboxEntry, at: number): void {
    entry.status = "delivered";
    entry.attempts++;
    entry.updatedAt = at;
    this.pendingIds.delete(entry.id);
  }

  /** A failed attempt; a permanent failure stops retries, any other leaves the entry pending. */
  markFailed(entry: OutboxEntry, error: string, permanent: boolean, at: number): void {
    entry.attempts++;
    entry.lastError = error;
    entry.updatedAt = at;
    if (permanent) {
      entry.status = "failed";
      this.pendingIds.delete(entry.id);
    }
  }

  /** Pending entries, oldest first, at most `limit`. */
  *pending(limit = Number.POSITIVE_INFINITY): Generator<OutboxEntry> {
    let yielded = 0;
    for (const id of this.pendingIds) {
      if (yielded >= limit) return;
      yielded++;
      yield this.entries.get(id)!;
    }
  }

  get pendingCount(): number {
    return this.pendingIds.size;
  }

  /** Removes delivered and failed entries finished more than a week before `at`; returns how many. */
  pruneFinished(at: number): number {
    let pruned = 0;
    for (const [id, entry] of this.entries) {
      if (entry.status !== "pending" && at - entry.updatedAt > FINISHED_OUTBOX_RETENTION_MS) {
        this.entries.delete(id);
        if (this.newestApprovalRequests.get(entry.chatId) === entry)
          this.newestApprovalRequests.delete(entry.chatId);
        pruned++;
      }
    }
    return pruned;
  }
}
