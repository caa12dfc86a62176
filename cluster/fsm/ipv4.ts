/**
 * IPv4 addresses and CIDR blocks as plain numbers (0 .. 2^32 - 1). Arithmetic
 * is done with `*` and `+`, never with JavaScript's bitwise operators, which
 * work on signed 32-bit integers and would turn 10.128.0.0 and above negative.
 */

/** An aligned IPv4 block: `network` has every host bit zero. */
export interface Cidr {
  network: number;
  prefixLength: number;
}

const IPV4_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** Parses dotted-quad text ("10.64.0.2"); undefined for anything else, including leading zeros. */
export function parseIpv4(text: string): number | undefined {
  const match = IPV4_PATTERN.exec(text);
  if (!match) return undefined;
  let value = 0;
  for (const part of match.slice(1)) {
    if (part.length > 1 && part.startsWith("0")) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

/** Formats a number as dotted-quad text. */
export function formatIpv4(value: number): string {
  return [
    Math.floor(value / 16_777_216) % 256,
    Math.floor(value / 65_536) % 256,
    Math.floor(value / 256) % 256,
    value % 256,
  ].join(".");
}

/** How many addresses a block of this prefix length spans. */
export function blockSize(prefixLength: number): number {
  return 2 ** (32 - prefixLength);
}

/**
 * Parses "10.64.0.0/10". Refuses a block whose address has host bits set
 * ("10.64.0.1/10"), because which block was meant is then ambiguous.
 */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf("/");
  if (slash < 0) return undefined;
  const network = parseIpv4(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (network === undefined || !/^\d{1,2}$/.test(prefixText)) return undefined;
  const prefixLength = Number(prefixText);
  if (prefixLength > 32) return undefined;
  if (network % blockSize(prefixLength) !== 0) return undefined;
  return { network, prefixLength };
}

/** Formats a block as "10.64.0.0/10". */
export function formatCidr(cidr: Cidr): string {
  return `${formatIpv4(cidr.network)}/${cidr.prefixLength}`;
}

/** One past the last address of the block. */
export function cidrEnd(cidr: Cidr): number {
  return cidr.network + blockSize(cidr.prefixLength);
}

/** Whether two blocks share at least one address. */
export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return a.network < cidrEnd(b) && b.network < cidrEnd(a);
}

/** Whether `inner` lies entirely inside `outer`. */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  return inner.network >= outer.network && cidrEnd(inner) <= cidrEnd(outer);
}
