import { isIP } from "node:net";

/** Whether `text` is `address/prefix` with an IPv4 or IPv6 address and a prefix that fits it. */
export function isCidr(text: string): boolean {
  const [address, prefix, extra] = text.split("/");
  if (address === undefined || prefix === undefined || extra !== undefined) return false;
  const family = isIP(address);
  const maxPrefix = family === 4 ? 32 : family === 6 ? 128 : -1;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= maxPrefix;
}
