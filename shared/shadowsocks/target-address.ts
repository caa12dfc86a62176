/**
 * The address a Shadowsocks client asks the server to connect to, as the
 * first bytes of its stream: SOCKS5's ATYP, address and big-endian port.
 */
import { isIPv4, isIPv6 } from "node:net";
import { err, ok, type Result } from "../result.ts";

const ATYP_IPV4 = 1;
const ATYP_DOMAIN = 3;
const ATYP_IPV6 = 4;

function ipv6Bytes(address: string): Buffer {
  // Expand `::` into the missing groups, then write the eight groups.
  const [head = "", tail] = address.split("::");
  const headGroups = head === "" ? [] : head.split(":");
  const tailGroups = tail === undefined || tail === "" ? [] : tail.split(":");
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...new Array<string>(missing).fill("0"), ...tailGroups];
  const bytes = Buffer.alloc(16);
  groups.forEach((group, index) => {
    bytes.writeUInt16BE(Number.parseInt(group, 16), index * 2);
  });
  return bytes;
}

/** The header for `host:port`; an error for a port out of range or a name longer than 255 bytes. */
export function encodeTargetAddress(
  host: string,
  port: number,
): Result<Buffer, "SHADOWSOCKS_BAD_TARGET"> {
  if (!Number.isInteger(port) || port < 1 || port > 65_535)
    return err("SHADOWSOCKS_BAD_TARGET", `port ${port} is not between 1 and 65535`);
  const portBytes = Buffer.alloc(2);
  portBytes.writeUInt16BE(port);
  if (isIPv4(host))
    return ok(Buffer.concat([Buffer.from([ATYP_IPV4, ...host.split(".").map(Number)]), portBytes]));
  // An IPv6 address with an embedded IPv4 tail is not used by servers' endpoints; it goes as a name.
  if (isIPv6(host) && !host.includes("."))
    return ok(Buffer.concat([Buffer.from([ATYP_IPV6]), ipv6Bytes(host), portBytes]));
  const name = Buffer.from(host, "utf8");
  if (name.length === 0 || name.length > 255)
    return err("SHADOWSOCKS_BAD_TARGET", "a host name is 1 to 255 bytes long");
  return ok(Buffer.concat([Buffer.from([ATYP_DOMAIN, name.length]), name, portBytes]));
}
