import { isIPv4, isIPv6 } from "node:net";
import { err, ok, type Result } from "./result.ts";

/** An address to listen on or connect to. */
export interface HostPort {
  /** An IPv4 address, an IPv6 address without brackets (`::1`), or a DNS name. */
  host: string;
  /** 1-65535. */
  port: number;
}

const bracketedIpv6 = /^\[([^\]]*)\]:(\d+)$/;
const plainHost = /^([^:[\]]+):(\d+)$/;
const dnsName =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const dottedNumbers = /^[\d.]+$/;

/**
 * Parses `host:port` as written by operators: `127.0.0.1:7001`,
 * `[::1]:7001` or `vpn1.example.org:7001`. Error messages never repeat the
 * input, so callers decide whether it is safe to show.
 */
export function parseHostPort(text: string): Result<HostPort, "INVALID_HOST_PORT"> {
  const bracketed = bracketedIpv6.exec(text);
  const plain = bracketed ? null : plainHost.exec(text);
  const match = bracketed ?? plain;
  if (!match) {
    const colons = text.split(":").length - 1;
    return err(
      "INVALID_HOST_PORT",
      colons > 1
        ? "must be host:port with an IPv6 host in brackets, e.g. [::1]:7001"
        : "must be host:port, e.g. 127.0.0.1:7001",
    );
  }
  const host = match[1] ?? "";
  const port = Number(match[2]);
  if (bracketed && !isIPv6(host)) {
    return err(
      "INVALID_HOST_PORT",
      "the part in brackets must be an IPv6 address, e.g. [::1]:7001",
    );
  }
  // "300.1.1.1" is a valid DNS name by syntax, but was surely meant as an IPv4 address.
  const looksLikeIpv4 = dottedNumbers.test(host);
  if (plain && !(looksLikeIpv4 ? isIPv4(host) : dnsName.test(host))) {
    return err(
      "INVALID_HOST_PORT",
      "host must be an IPv4 address, an IPv6 address in brackets or a DNS name",
    );
  }
  if (port < 1 || port > 65535) {
    return err("INVALID_HOST_PORT", "port must be between 1 and 65535");
  }
  return ok({ host, port });
}
