/**
 * Messages waiting for the next flush to one peer, bounded in bytes together
 * with what the peer's socket has not yet written. When the peer is slow the
 * queue refuses instead of growing: Raft retransmits whatever is lost.
 */
import type { EncodedMessage } from "./frame.ts";

export class SendQueue {
  private messages: EncodedMessage[] = [];
  private queuedBytes = 0;

  constructor(private readonly maxBufferedBytes: number) {}

  /**
   * Queues `message` if it, the queue and the `socketBufferedBytes` still
   * unwritten by the socket fit within the limit; returns false (and queues
   * nothing) otherwise. A message larger than the limit alone (a snapshot of
   * a large state) goes when nothing else waits, so a lagging peer can always
   * catch up; the frame limit still bounds it.
   */
  offer(message: EncodedMessage, socketBufferedBytes: number): boolean {
    const idle = socketBufferedBytes === 0 && this.queuedBytes === 0;
    const fits = socketBufferedBytes + this.queuedBytes + message.bytes <= this.maxBufferedBytes;
    if (!fits && !(idle && message.bytes > this.maxBufferedBytes)) return false;
    this.messages.push(message);
    this.queuedBytes += message.bytes;
    return true;
  }

  /** Removes and returns every queued message, oldest first. */
  takeAll(): EncodedMessage[] {
    const taken = this.messages;
    this.messages = [];
    this.queuedBytes = 0;
    return taken;
  }

  get bytes(): number {
    return this.queuedBytes;
  }

  get length(): number {
    return this.messages.length;
  }
}
