import { isIP } from "node:net";

/**
 * The canonical spelling of an address as a socket reports it, or null if it
 * is not one: IPv4-mapped IPv6 (`::ffff:203.0.113.5`, what a dual-stack
 * listener reports for IPv4 clients) becomes plain IPv4, and IPv6 gets its
 * compressed lower-case form so spellings of one address count together.
 */
export function normalizeAddress(address: string): string | null {
  const trimmed = address.trim();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(trimmed);
  const candidate = mapped?.[1] ?? trimmed;
  const family = isIP(candidate);
  if (family === 4) return candidate;
  // A zone index (fe80::1%eth0) marks a link-local address, which no user can reach.
  if (family !== 6 || candidate.includes("%")) return null;
  // The URL parser prints IPv6 hosts in the RFC 5952 form, e.g. [2001:db8::1].
  return new URL(`http://[${candidate}]/`).hostname.slice(1, -1);
}
