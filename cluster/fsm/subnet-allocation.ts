/**
 * Choosing a server's subnet from the cluster's address pool: the lowest
 * aligned block that is large enough and overlaps no subnet already taken.
 * A pure decision; the caller records the result.
 */
import { blockSize, type Cidr, cidrEnd } from "./ipv4.ts";
import { prefixLengthForCapacity } from "./subnet-layout.ts";

/**
 * The lowest free block of the pool that holds `capacity` clients, or
 * undefined when the pool has no such block left. `taken` may be in any order
 * and may include blocks outside the pool.
 */
export function allocateSubnet(
  pool: Cidr,
  taken: readonly Cidr[],
  capacity: number,
): Cidr | undefined {
  const prefixLength = prefixLengthForCapacity(capacity);
  if (prefixLength < pool.prefixLength) return undefined;
  const size = blockSize(prefixLength);
  const poolEnd = cidrEnd(pool);
  const sorted = [...taken].sort((a, b) => a.network - b.network);
  // The pool's network is aligned to its own size, hence to every smaller size.
  let candidate = pool.network;
  for (const block of sorted) {
    if (candidate + size <= block.network) break;
    const end = cidrEnd(block);
    if (end > candidate) candidate = Math.ceil(end / size) * size;
  }
  if (candidate + size > poolEnd) return undefined;
  return { network: candidate, prefixLength };
}
