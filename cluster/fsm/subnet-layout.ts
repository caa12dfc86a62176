/**
 * How a server's subnet is laid out. For a block of `size` addresses
 * (offsets 0 .. size-1 from the network address):
 *
 *   offset 0             the network address, unused
 *   offset 1             the server's own tunnel address (x.x.x.1)
 *   offsets 2 .. size-3  clients, one address per live config
 *   offset size-2        the ban-check probe peer, never given to a client
 *   offset size-1        the broadcast address, unused
 *
 * So a block holds `size - 4` clients: a /24 holds 252 (its 253 usable
 * addresses minus the probe peer), a /20 holds 4092, and a server of capacity
 * 4 000 needs a /20. Putting the probe peer at the top keeps it out of the
 * way of lowest-first client allocation whatever the capacity.
 */
import { blockSize, type Cidr, formatIpv4 } from "./ipv4.ts";

/** Addresses of every subnet that no client may use: network, server, probe peer, broadcast. */
export const RESERVED_ADDRESSES_PER_SUBNET = 4;
/** The first offset a client address may have. */
export const FIRST_CLIENT_OFFSET = 2;
/** The longest prefix a server subnet can have: a /29 holds 4 clients. */
export const LONGEST_SERVER_PREFIX = 29;

/** How many clients a subnet of this prefix length can hold at once. */
export function clientCapacityOf(prefixLength: number): number {
  return blockSize(prefixLength) - RESERVED_ADDRESSES_PER_SUBNET;
}

/** The longest prefix (smallest block) whose subnet holds `capacity` clients. */
export function prefixLengthForCapacity(capacity: number): number {
  let prefixLength = LONGEST_SERVER_PREFIX;
  while (prefixLength > 0 && clientCapacityOf(prefixLength) < capacity) prefixLength--;
  return prefixLength;
}

/** The last offset a client address may have. */
export function lastClientOffset(subnet: Cidr): number {
  return blockSize(subnet.prefixLength) - 3;
}

/** The server's own address inside its subnet (x.x.x.1 for a /24). */
export function serverTunnelAddress(subnet: Cidr): string {
  return formatIpv4(subnet.network + 1);
}

/** The address reserved for the ban-check probe peer. */
export function probePeerAddress(subnet: Cidr): string {
  return formatIpv4(subnet.network + blockSize(subnet.prefixLength) - 2);
}

/** The client address at `offset` from the network address. */
export function clientAddress(subnet: Cidr, offset: number): string {
  return formatIpv4(subnet.network + offset);
}
