/**
 * A Shadowsocks config as users import it: an `ss://` access key in the
 * SIP002 form every current client reads (Outline, v2rayNG, Shadowrocket,
 * shadowsocks-android):
 *
 *   ss://<base64url(method:password)>@<host>:<port>#<name>
 *
 * The userinfo is unpadded base64url, so any password survives the URL; an
 * IPv6 host is written in brackets, and the name is percent-encoded.
 */
import { isIP } from "node:net";
import { err, ok, type Result } from "../../shared/result.ts";
import { isShadowsocksMethod } from "../../shared/shadowsocks-method.ts";

/** Everything an access key carries. */
export interface ShadowsocksKey {
  host: string;
  port: number;
  method: string;
  password: string;
  /** Shown by the client app as the server's name. */
  name: string;
}

const HOST = /^[A-Za-z0-9.:-]{1,253}$/;

/** Renders the access key; refuses values no client could use. */
export function renderShadowsocksKey(
  key: ShadowsocksKey,
): Result<string, "INVALID_SHADOWSOCKS_KEY"> {
  const problems: string[] = [];
  if (!isShadowsocksMethod(key.method)) problems.push(`method ${key.method} is not an AEAD cipher`);
  if (key.password.length === 0) problems.push("the password is empty");
  if (!HOST.test(key.host) || (key.host.includes(":") && isIP(key.host) !== 6))
    problems.push("host is not a DNS name or an IP address");
  if (!Number.isInteger(key.port) || key.port < 1 || key.port > 65_535)
    problems.push("port is not 1-65535");
  if (problems.length > 0) return err("INVALID_SHADOWSOCKS_KEY", problems.join("; "));
  const userinfo = Buffer.from(`${key.method}:${key.password}`, "utf8").toString("base64url");
  const host = isIP(key.host) === 6 ? `[${key.host}]` : key.host;
  return ok(`ss://${userinfo}@${host}:${key.port}#${encodeURIComponent(key.name)}`);
}

/**
 * Reads a SIP002 key (base64url or base64 userinfo, padded or not), as a
 * client does; for checking what users get. Undefined when it is not one.
 */
export function parseShadowsocksKey(text: string): ShadowsocksKey | undefined {
  const match =
    /^ss:\/\/([A-Za-z0-9_+/=-]+)@(\[[0-9A-Fa-f:.]+\]|[^:/?#@[\]]+):(\d{1,5})\/?(?:\?[^#]*)?(?:#(.*))?$/.exec(
      text.trim(),
    );
  if (!match) return undefined;
  const userinfo = Buffer.from(
    match[1]!.replace(/\+/g, "-").replace(/\//g, "_"),
    "base64url",
  ).toString("utf8");
  const colon = userinfo.indexOf(":");
  if (colon <= 0 || colon === userinfo.length - 1) return undefined;
  const port = Number(match[3]);
  if (port < 1 || port > 65_535) return undefined;
  let name = "";
  try {
    name = decodeURIComponent(match[4] ?? "");
  } catch {
    return undefined;
  }
  return {
    host: match[2]!.replace(/^\[|\]$/g, ""),
    port,
    method: userinfo.slice(0, colon),
    password: userinfo.slice(colon + 1),
    name,
  };
}
