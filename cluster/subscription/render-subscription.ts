/** One subscription rendered in the format asked for, with the headers every client reads. */
import { renderClash } from "../client-config/subscription/clash.ts";
import type {
  RenderedSubscription,
  SubscriptionEntry,
  SubscriptionFormat,
} from "../client-config/subscription/entries.ts";
import { renderLinks } from "../client-config/subscription/links.ts";
import { renderOutline } from "../client-config/subscription/outline.ts";
import { renderSingBox } from "../client-config/subscription/sing-box.ts";
import { renderSip008 } from "../client-config/subscription/sip008.ts";
import { type SubscriptionUsage, subscriptionUserinfoHeader } from "./subscription-usage.ts";

/** The name clients give the imported profile. */
export const PROFILE_NAME = "VPN";
/** How often clients should refresh, in hours. */
export const PROFILE_UPDATE_INTERVAL_HOURS = 1;

export function renderSubscription(
  format: SubscriptionFormat,
  entries: readonly SubscriptionEntry[],
  usage: SubscriptionUsage,
): RenderedSubscription {
  switch (format) {
    case "outline":
      return renderOutline(entries);
    case "sip008":
      return renderSip008(entries, usage);
    case "sing-box":
      return renderSingBox(entries);
    case "clash":
      return renderClash(entries);
    case "links":
      return renderLinks(entries);
  }
}

const FILE_EXTENSIONS: Record<SubscriptionFormat, string> = {
  outline: "json",
  sip008: "json",
  "sing-box": "json",
  clash: "yaml",
  links: "txt",
};

/** The response headers of a subscription answer. */
export function subscriptionHeaders(
  format: SubscriptionFormat,
  rendered: RenderedSubscription,
  usage: SubscriptionUsage,
): Record<string, string> {
  return {
    "Content-Type": rendered.contentType,
    "Content-Length": String(Buffer.byteLength(rendered.body)),
    "Subscription-Userinfo": subscriptionUserinfoHeader(usage),
    "Profile-Update-Interval": String(PROFILE_UPDATE_INTERVAL_HOURS),
    "Profile-Title": PROFILE_NAME,
    "Content-Disposition": `attachment; filename="${PROFILE_NAME}.${FILE_EXTENSIONS[format]}"`,
    "Cache-Control": "no-store",
  };
}
