/**
 * The append messages sent to one follower and not yet acknowledged, as the
 * last index each carried. Bounds pipelining by count and by bytes.
 */
export class Inflights {
  private lastIndexes: number[] = [];
  private sizes: number[] = [];
  private head = 0;
  private totalBytes = 0;

  constructor(
    readonly maxMessages: number,
    readonly maxBytes: number,
  ) {}

  get count(): number {
    return this.lastIndexes.length - this.head;
  }

  add(lastIndex: number, bytes: number): void {
    this.lastIndexes.push(lastIndex);
    this.sizes.push(bytes);
    this.totalBytes += bytes;
  }

  /** Frees every in-flight message whose last index is at or below `index`. */
  freeUpTo(index: number): void {
    while (this.head < this.lastIndexes.length && (this.lastIndexes[this.head] ?? 0) <= index) {
      this.totalBytes -= this.sizes[this.head] ?? 0;
      this.head++;
    }
    if (this.head > 64 && this.head * 2 > this.lastIndexes.length) this.compact();
  }

  /** Frees the oldest message, so a heartbeat response can unblock a full window. */
  freeFirst(): void {
    const first = this.lastIndexes[this.head];
    if (first !== undefined) this.freeUpTo(first);
  }

  full(): boolean {
    return (
      this.count >= this.maxMessages || (this.maxBytes > 0 && this.totalBytes >= this.maxBytes)
    );
  }

  reset(): void {
    this.lastIndexes = [];
    this.sizes = [];
    this.head = 0;
    this.totalBytes = 0;
  }

  private compact(): void {
    this.lastIndexes = this.lastIndexes.slice(this.head);
    this.sizes = this.sizes.slice(this.head);
    this.head = 0;
  }
}
