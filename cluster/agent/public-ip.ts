/**
 * A node without PUBLIC_HOST learns its address from how its peers see it:
 * each peer reports the source address of this node's connection, and the
 * view of a strict majority of reporters becomes the server's endpoint.
 */
import { isIP } from "node:net";
import { normalizeAddress } from "../../shared/ip-address.ts";

/** One peer's view of this node: the source address of this node's connection to it. */
export interface AddressReport {
  reporterId: string;
  observedAddress: string;
}

/** How far an address reaches; a report from a wider class outranks narrower ones. */
type Reach = "loopback" | "private" | "public";

const reachRank: Record<Reach, number> = { loopback: 0, private: 1, public: 2 };

const privateIpv4 = [
  /^10\./,
  /^172\.(1[6-9]|2\d|3[01])\./,
  /^192\.168\./,
  /^169\.254\./,
  /^100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\./,
];

function reachOf(address: string): Reach {
  if (isIP(address) === 4) {
    if (address.startsWith("127.")) return "loopback";
    return privateIpv4.some((range) => range.test(address)) ? "private" : "public";
  }
  if (address === "::1") return "loopback";
  // Unique local (fc00::/7) and link-local (fe80::/10).
  return /^(f[cd][0-9a-f]{2}|fe[89ab][0-9a-f]):/.test(address) ? "private" : "public";
}

/**
 * The address a strict majority of reporters agree on, or null when there is
 * none (a tie, or a split view): no change is better than a guess.
 *
 * Each reporter counts once, with its last report in `reports`. Only reports
 * of the widest reach present are counted: a peer on the same host (loopback)
 * or in the same private network sees an address that users out on the
 * internet cannot reach, so those views count only when no peer sees a public
 * address, as in a cluster on one machine where every view is 127.0.0.1.
 */
export function majorityAddress(reports: readonly AddressReport[]): string | null {
  const latestByReporter = new Map<string, string>();
  for (const report of reports) {
    const address = normalizeAddress(report.observedAddress);
    if (address !== null) latestByReporter.set(report.reporterId, address);
  }
  const views = [...latestByReporter.values()];
  const widest = Math.max(-1, ...views.map((address) => reachRank[reachOf(address)]));
  const counted = views.filter((address) => reachRank[reachOf(address)] === widest);
  const votes = new Map<string, number>();
  for (const address of counted) votes.set(address, (votes.get(address) ?? 0) + 1);
  for (const [address, count] of votes) {
    if (count * 2 > counted.length) return address;
  }
  return null;
}

/**
 * The endpoint to propose for this server: the majority view when it differs
 * from `currentAddress`, null when there is nothing to change.
 */
export function publicAddressChange(
  reports: readonly AddressReport[],
  currentAddress: string | null,
): string | null {
  const majority = majorityAddress(reports);
  if (majority === null) return null;
  const current = currentAddress === null ? null : normalizeAddress(currentAddress);
  return majority === current ? null : majority;
}
