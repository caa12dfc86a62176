import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  blockSize,
  type Cidr,
  cidrContains,
  cidrsOverlap,
  formatCidr,
  parseCidr,
} from "../../../cluster/fsm/ipv4.ts";
import { allocateSubnet } from "../../../cluster/fsm/subnet-allocation.ts";
import { clientCapacityOf } from "../../../cluster/fsm/subnet-layout.ts";

const pool = parseCidr("10.64.0.0/10")!;

function allocateAll(capacities: number[], within: Cidr = pool): Array<Cidr | undefined> {
  const taken: Cidr[] = [];
  return capacities.map((capacity) => {
    const subnet = allocateSubnet(within, taken, capacity);
    if (subnet) taken.push(subnet);
    return subnet;
  });
}

test("the first server gets the lowest block of the pool", () => {
  assert.is(formatCidr(allocateSubnet(pool, [], 250)!), "10.64.0.0/24");
});

test("a larger block skips to the next boundary aligned to its own size", () => {
  const subnets = allocateAll([250, 4000, 250]).map((subnet) => formatCidr(subnet!));
  assert.equal(subnets, ["10.64.0.0/24", "10.64.16.0/20", "10.64.1.0/24"]);
});

test("a block freed in the middle is found again (lowest free first)", () => {
  const taken = [parseCidr("10.64.1.0/24")!, parseCidr("10.64.2.0/24")!];
  assert.is(formatCidr(allocateSubnet(pool, taken, 200)!), "10.64.0.0/24");
});

test("a full pool allocates nothing", () => {
  const small = parseCidr("192.168.0.0/23")!;
  const subnets = allocateAll([252, 252, 1], small);
  assert.equal(
    subnets.map((subnet) => subnet && formatCidr(subnet)),
    ["192.168.0.0/24", "192.168.1.0/24", undefined],
  );
  assert.is(allocateSubnet(small, [], 1000), undefined, "larger than the pool itself");
});

test("property: subnets never overlap, stay in the pool, are aligned and hold their capacity", () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 1, max: 70_000 }), { minLength: 1, maxLength: 60 }),
      fc.constantFrom("10.64.0.0/10", "10.0.0.0/16", "172.16.0.0/20"),
      (capacities, poolText) => {
        const within = parseCidr(poolText)!;
        const subnets = allocateAll(capacities, within);
        const given: Cidr[] = [];
        subnets.forEach((subnet, i) => {
          if (!subnet) return;
          assert.ok(cidrContains(within, subnet), "inside the pool");
          assert.is(subnet.network % blockSize(subnet.prefixLength), 0, "aligned");
          assert.ok(clientCapacityOf(subnet.prefixLength) >= capacities[i]!, "large enough");
          assert.ok(
            subnet.prefixLength === 29 ||
              clientCapacityOf(subnet.prefixLength + 1) < capacities[i]!,
            "no larger than needed",
          );
          for (const other of given) assert.not.ok(cidrsOverlap(subnet, other), "no overlap");
          given.push(subnet);
        });
      },
    ),
    { numRuns: 200 },
  );
});

/** Every aligned block of the pool that holds `capacity`, lowest first. */
function alignedBlocks(within: Cidr, capacity: number): Cidr[] {
  let prefixLength = 29;
  while (clientCapacityOf(prefixLength) < capacity) prefixLength--;
  const size = blockSize(prefixLength);
  const blocks: Cidr[] = [];
  const end = within.network + blockSize(within.prefixLength);
  for (let network = within.network; network + size <= end; network += size)
    blocks.push({ network, prefixLength });
  return blocks;
}

test("property: the block chosen is the lowest free one, and none is chosen only when none is free", () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 1, max: 1000 }), { maxLength: 40 }),
      fc.integer({ min: 1, max: 1000 }),
      (capacities, last) => {
        const within = parseCidr("10.0.0.0/20")!;
        const taken = allocateAll(capacities, within).filter((subnet) => subnet !== undefined);
        const subnet = allocateSubnet(within, taken, last);
        const free = alignedBlocks(within, last).filter(
          (candidate) => !taken.some((block) => cidrsOverlap(block, candidate)),
        );
        assert.equal(subnet, free[0]);
      },
    ),
    { numRuns: 300 },
  );
});

test.run();
