/**
 * Which format a subscription request gets: `?format=` when the client names
 * one, else what its User-Agent is known to read, else the plain list of
 * links, which nearly every client imports.
 */
import {
  SUBSCRIPTION_FORMATS,
  type SubscriptionFormat,
} from "../client-config/subscription/entries.ts";

/** Known clients by User-Agent, first match wins. */
const USER_AGENT_FORMATS: ReadonlyArray<[RegExp, SubscriptionFormat]> = [
  [/outline/i, "outline"],
  [/clash|mihomo|stash|flclash/i, "clash"],
  [/sing-?box|\bSF[AIMT]\b|hiddify|karing/i, "sing-box"],
  [/shadowsocks|\bss-(local|android)\b/i, "sip008"],
  [/v2ray|streisand|shadowrocket|nekobox|nekoray|quantumult|loon/i, "links"],
];

export type FormatChoice =
  | { ok: true; format: SubscriptionFormat }
  | { ok: false; reason: "UNKNOWN_FORMAT" };

/** The format for `?format=` (case-insensitive) or, without it, for `userAgent`. */
export function chooseFormat(
  formatParameter: string | null,
  userAgent: string | undefined,
): FormatChoice {
  if (formatParameter !== null) {
    const named = formatParameter.toLowerCase();
    const known = SUBSCRIPTION_FORMATS.find((format) => format === named);
    return known ? { ok: true, format: known } : { ok: false, reason: "UNKNOWN_FORMAT" };
  }
  for (const [pattern, format] of USER_AGENT_FORMATS)
    if (userAgent !== undefined && pattern.test(userAgent)) return { ok: true, format };
  return { ok: true, format: "links" };
}
