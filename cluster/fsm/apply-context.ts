/**
 * What one apply needs besides the state: the log index it runs at, and a way
 * to queue notifications whose ids every node derives the same way.
 */
import type { Outbox } from "./outbox.ts";
import type { OutboxKind, OutboxPayload } from "./records.ts";

/** Created per command by apply; handlers queue notifications through it. */
export class ApplyContext {
  private notificationsQueued = 0;
  private peersChangedHere = false;

  constructor(
    /** The Raft index of the command being applied; unique per command. */
    readonly index: number,
    private readonly outbox: Outbox,
  ) {}

  /**
   * Says that this command changed which peers some server must have,
   * although its type usually does not (a traffic report that suspends a user).
   */
  markPeersChanged(): void {
    this.peersChangedHere = true;
  }

  /** Whether {@link markPeersChanged} was called. */
  get peersChanged(): boolean {
    return this.peersChangedHere;
  }

  /**
   * Queues a notification; its id is `o<index>-<n>`, the n-th queued by this
   * command. `notBefore` (epoch ms) holds its delivery back until then.
   */
  notify(
    chatId: string,
    kind: OutboxKind,
    payload: OutboxPayload,
    at: number,
    notBefore: number | null = null,
  ): string {
    const id = `o${this.index}-${this.notificationsQueued++}`;
    this.outbox.enqueue(id, chatId, kind, payload, at, notBefore);
    return id;
  }
}
