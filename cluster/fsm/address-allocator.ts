/**
 * Hands out the lowest free offset of a range and takes offsets back, in
 * O(log n). Used per server for client addresses: an address returns to the
 * pool when its config is revoked or expires, and the next config gets the
 * lowest free one.
 *
 * Invariant: every offset at or above `highWater` is free, and the free
 * offsets below it are exactly those in the `released` min-heap. So the
 * lowest free offset is the heap's minimum, or `highWater` when the heap is
 * empty. The answer depends only on which offsets are in use, never on the
 * order things happened, so a node rebuilt from a snapshot decides exactly as
 * a node that applied the whole log.
 */
export class AddressAllocator {
  private readonly used = new Set<number>();
  private readonly released: number[] = [];
  private highWater: number;

  /** Offsets `firstOffset .. lastOffset` inclusive, with `usedOffsets` already taken. */
  constructor(
    firstOffset: number,
    private readonly lastOffset: number,
    usedOffsets: Iterable<number> = [],
  ) {
    this.highWater = firstOffset;
    const sorted = [...usedOffsets].sort((a, b) => a - b);
    for (const offset of sorted) {
      if (offset < firstOffset || offset > lastOffset || this.used.has(offset))
        throw new Error(`offset ${offset} is outside ${firstOffset}..${lastOffset} or repeated`);
      // The gaps below a used offset are free; pushed in ascending order they form a valid heap.
      for (let gap = this.highWater; gap < offset; gap++) this.released.push(gap);
      this.used.add(offset);
      this.highWater = offset + 1;
    }
  }

  /** How many offsets are in use. */
  get usedCount(): number {
    return this.used.size;
  }

  /** Whether `offset` is in use. */
  isUsed(offset: number): boolean {
    return this.used.has(offset);
  }

  /** The lowest free offset without taking it, or undefined when the range is full. */
  peek(): number | undefined {
    const lowestReleased = this.released[0];
    if (lowestReleased !== undefined) return lowestReleased;
    return this.highWater <= this.lastOffset ? this.highWater : undefined;
  }

  /** Takes the lowest free offset; undefined when the range is full. */
  take(): number | undefined {
    const offset = this.peek();
    if (offset === undefined) return undefined;
    if (this.released.length > 0) this.popReleased();
    else this.highWater++;
    this.used.add(offset);
    return offset;
  }

  /** Returns an offset in use to the free pool. */
  release(offset: number): void {
    if (!this.used.delete(offset)) throw new Error(`offset ${offset} is not in use`);
    this.pushReleased(offset);
  }

  private pushReleased(offset: number): void {
    const heap = this.released;
    heap.push(offset);
    let child = heap.length - 1;
    while (child > 0) {
      const parent = (child - 1) >> 1;
      if (heap[parent]! <= heap[child]!) break;
      [heap[parent], heap[child]] = [heap[child]!, heap[parent]!];
      child = parent;
    }
  }

  private popReleased(): void {
    const heap = this.released;
    const last = heap.pop()!;
    if (heap.length === 0) return;
    heap[0] = last;
    let parent = 0;
    for (;;) {
      const left = parent * 2 + 1;
      const right = left + 1;
      let smallest = parent;
      if (left < heap.length && heap[left]! < heap[smallest]!) smallest = left;
      if (right < heap.length && heap[right]! < heap[smallest]!) smallest = right;
      if (smallest === parent) return;
      [heap[parent], heap[smallest]] = [heap[smallest]!, heap[parent]!];
      parent = smallest;
    }
  }
}
