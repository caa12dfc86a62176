/**
 * The MTU of a WireGuard tunnel, on the server's interface and in every
 * client config. 1280 is the least IPv6 allows on a link and what survives
 * mobile networks and PPPoE without fragments; 1440 is the most that fits a
 * 1500-byte path after WireGuard's 60 bytes of IPv4 overhead.
 */
export const MIN_WIREGUARD_MTU = 1280;
export const MAX_WIREGUARD_MTU = 1440;

/** Whether `value` is a tunnel MTU this product sets. */
export function isWireGuardMtu(value: number): boolean {
  return Number.isInteger(value) && value >= MIN_WIREGUARD_MTU && value <= MAX_WIREGUARD_MTU;
}
