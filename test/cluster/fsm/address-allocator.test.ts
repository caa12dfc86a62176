import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { AddressAllocator } from "../../../cluster/fsm/address-allocator.ts";

test("offsets are handed out lowest first", () => {
  const allocator = new AddressAllocator(2, 5);
  assert.equal([allocator.take(), allocator.take(), allocator.take()], [2, 3, 4]);
  assert.is(allocator.usedCount, 3);
});

test("a full range hands out nothing", () => {
  const allocator = new AddressAllocator(2, 3);
  allocator.take();
  allocator.take();
  assert.is(allocator.take(), undefined);
  assert.is(allocator.peek(), undefined);
});

test("a released offset is reused, the lowest released first", () => {
  const allocator = new AddressAllocator(2, 100);
  for (let i = 0; i < 10; i++) allocator.take();
  allocator.release(7);
  allocator.release(4);
  allocator.release(9);
  assert.equal(
    [allocator.take(), allocator.take(), allocator.take(), allocator.take()],
    [4, 7, 9, 12],
  );
});

test("an allocator built from used offsets fills the gaps first", () => {
  const allocator = new AddressAllocator(2, 20, [9, 2, 5]);
  assert.equal([allocator.take(), allocator.take(), allocator.take()], [3, 4, 6]);
  assert.ok(allocator.isUsed(9));
});

test("releasing an offset not in use, or building with a bad one, is a bug", () => {
  const allocator = new AddressAllocator(2, 10);
  assert.throws(() => allocator.release(3), /not in use/);
  assert.throws(() => new AddressAllocator(2, 10, [1]), /outside/);
  assert.throws(() => new AddressAllocator(2, 10, [4, 4]), /repeated/);
});

test("property: matches the obvious model (lowest free by scanning) under any take/release mix", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 40 }),
      fc.array(fc.oneof(fc.constant(-1), fc.nat(60)), { maxLength: 200 }),
      (size, script) => {
        const first = 2;
        const last = first + size - 1;
        const allocator = new AddressAllocator(first, last);
        const model = new Set<number>();
        for (const step of script) {
          if (step === -1 || model.size === 0) {
            let expected: number | undefined;
            for (let offset = first; offset <= last; offset++) {
              if (!model.has(offset)) {
                expected = offset;
                break;
              }
            }
            assert.is(allocator.take(), expected);
            if (expected !== undefined) model.add(expected);
          } else {
            const used = [...model].sort((a, b) => a - b);
            const offset = used[step % used.length]!;
            allocator.release(offset);
            model.delete(offset);
          }
          assert.is(allocator.usedCount, model.size);
        }
        // A rebuild from the used set decides exactly as the original does.
        const rebuilt = new AddressAllocator(first, last, model);
        assert.is(rebuilt.peek(), allocator.peek());
      },
    ),
    { numRuns: 300 },
  );
});

test.run();
